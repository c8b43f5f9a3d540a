import DataPlane
import Foundation
import JobSpec
import TensorWire
import Training

/// A worker's reader of a job's stream (`data.stream`): files in name order as they appear, each file's rows split
/// into held-out rows (`test_fraction`, into the evaluation window) and training rows; training row g of the whole
/// stream belongs to worker g mod N, so every worker reads every file but each row is trained exactly once across the
/// job's workers, with no coordination beyond the file names. Batch k of worker w is its rows [k·B, (k+1)·B), so a
/// position is a batch count: a restart skips the batches its checkpoint already holds (`skip`) and repeats nothing.
public final class StreamFeed: @unchecked Sendable {
    /// Reads the file called `name` (a name in the stream directory) without scaling.
    public typealias Reader = @Sendable (_ name: String) throws -> Dataset
    /// The names after `after` (all when nil), in name order.
    public typealias Lister = @Sendable (_ after: String?) throws -> [String]
    /// Told about a file that is left out (it cannot be read, or does not match the stream's first file) and why.
    public typealias SkipHandler = @Sendable (_ name: String, _ reason: String) -> Void

    /// What every file must agree with (fixed by the first file).
    public let schema: StreamSchema
    let workerIndex: Int
    let workerCount: Int
    let batchSize: Int
    let testFraction: Double
    let shuffle: Bool
    let seed: UInt64
    let windowCapacity: Int
    private let read: Reader
    private let list: Lister
    private let onSkip: SkipHandler
    private let lock = NSLock()

    private var listed: [String] = []  // names listed and not read yet, in name order
    private var listedNext = 0
    private var lastRead: String?
    private var pending = RowQueue()
    private var streamRows = 0  // training rows of the whole stream so far (every worker's)
    private var rowsToSkip = 0  // this worker's rows a resumed task still skips
    private var window: RowRing
    private var filesRead = 0

    /// A feed for worker `workerIndex` of `workerCount`, batches of `batchSize` rows, holding out `testFraction` of
    /// each file and evaluating on the newest `windowRows` held-out rows.
    public init(
        schema: StreamSchema, workerIndex: Int, workerCount: Int, batchSize: Int, testFraction: Double, shuffle: Bool, seed: UInt64,
        windowRows: Int, list: @escaping Lister, read: @escaping Reader, onSkip: @escaping SkipHandler = { _, _ in }
    ) throws {
        guard workerCount > 0, (0..<workerCount).contains(workerIndex), batchSize > 0, windowRows > 0, (0..<1).contains(testFraction) else {
            throw RuntimeFailure(.invalidArgument, "stream feed: worker \(workerIndex) of \(workerCount), batch \(batchSize), window \(windowRows), test fraction \(testFraction)")
        }
        self.schema = schema
        self.workerIndex = workerIndex
        self.workerCount = workerCount
        self.batchSize = batchSize
        self.testFraction = testFraction
        self.shuffle = shuffle
        self.seed = seed
        self.windowCapacity = windowRows
        self.list = list
        self.read = read
        self.onSkip = onSkip
        window = RowRing(capacity: windowRows, width: schema.width)
        pending = RowQueue(width: schema.width)
    }

    /// The next batch of this worker's rows, reading the files that have appeared meanwhile; nil while fewer than a
    /// batch of rows is available (the caller waits `poll_ms` and asks again).
    public func nextBatch() throws -> Batch? {
        try lock.withLock { try fill() ? try pending.take(batchSize) : nil }
    }

    /// Whether a batch is ready now (reading the files that have appeared): a sync step pulls the next version ahead
    /// only then, since that version waits for every worker's next batch.
    public func hasBatchReady() throws -> Bool {
        try lock.withLock { try fill() }
    }

    /// Reads files until a batch of this worker's rows waits; false when the files so far hold less.
    private func fill() throws -> Bool {
        while pending.count < batchSize {
            guard let name = try nextName() else { return false }
            ingest(name)
        }
        return true
    }

    /// Skips this worker's first `batches` batches (the rows a checkpoint already holds), as their files are read.
    public func skip(batches: Int) {
        lock.withLock {
            let rows = batches.multipliedReportingOverflow(by: batchSize)
            rowsToSkip = rows.overflow ? .max : rows.partialValue
            rowsToSkip -= pending.drop(rowsToSkip)
        }
    }

    /// The evaluation window: the newest held-out rows (the newest trained rows when nothing is held out), oldest
    /// first; nil before any file was read.
    public func windowRows() throws -> Dataset? {
        try lock.withLock { try window.dataset(featureNames: schema.featureNames, classNames: schema.classNames) }
    }

    /// Where the feed is: files read, the newest file's name, rows still to skip.
    public var position: (filesRead: Int, lastFile: String?, rowsToSkip: Int) {
        lock.withLock { (filesRead, lastRead, rowsToSkip) }
    }

    /// The next name in order, listing the directory again when every listed name was read.
    private func nextName() throws -> String? {
        if listedNext >= listed.count {
            listed = try list(lastRead)
            listedNext = 0
        }
        guard listedNext < listed.count else { return nil }
        let name = listed[listedNext]
        listedNext += 1
        lastRead = name
        return name
    }

    /// Reads `name` into the window and this worker's queue (or skips it, telling why).
    private func ingest(_ name: String) {
        let rows: Dataset
        do { rows = try schema.conform(read(name), name: name) } catch {
            onSkip(name, "\(error)")
            return
        }
        filesRead += 1
        let n = rows.count
        let held = testFraction > 0 ? min(Int((Double(n) * testFraction).rounded()), n - 1) : 0
        var order = Array(0..<n)
        if shuffle || held > 0 {
            var rng = SeededGenerator(seed: seed, stream: stableHash("stream file \(name)"))
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        }
        let training = order[..<(n - held)]
        for r in held > 0 ? order[(n - held)...] : training { window.append(rows, row: r) }
        for (i, r) in training.enumerated() where (streamRows &+ i) % workerCount == workerIndex {
            if rowsToSkip > 0 { rowsToSkip -= 1 } else { pending.append(rows, row: r) }
        }
        streamRows = streamRows.addingReportingOverflow(training.count).partialValue
    }
}

/// Rows waiting to be batched, in order.
private struct RowQueue {
    let width: Int
    private var features: [Float] = []
    private var labels: [Float] = []
    private var head = 0

    init(width: Int = 0) { self.width = width }

    var count: Int { labels.count - head }

    mutating func append(_ rows: Dataset, row r: Int) {
        let base = rows.features.baseAddress + r * width
        features.append(contentsOf: UnsafeBufferPointer(start: base, count: width))
        labels.append(rows.labels.baseAddress[r])
    }

    /// Removes up to `n` rows from the front; returns how many.
    mutating func drop(_ n: Int) -> Int {
        let dropped = min(n, count)
        head += dropped
        compact()
        return dropped
    }

    mutating func take(_ n: Int) throws -> Batch {
        let x = try Tensor(shape: Shape([n, width]), values: Array(features[(head * width)..<((head + n) * width)]))
        let y = try Tensor(shape: Shape([n]), values: Array(labels[head..<(head + n)]))
        head += n
        compact()
        return try Batch(features: x, labels: y)
    }

    private mutating func compact() {
        guard head > 0, head * 2 >= labels.count else { return }
        features.removeFirst(head * width)
        labels.removeFirst(head)
        head = 0
    }
}

/// The newest `capacity` rows seen.
private struct RowRing {
    let capacity: Int
    let width: Int
    private var features: [Float] = []
    private var labels: [Float] = []
    private var next = 0

    init(capacity: Int, width: Int) {
        self.capacity = capacity
        self.width = width
    }

    mutating func append(_ rows: Dataset, row r: Int) {
        let source = UnsafeBufferPointer(start: rows.features.baseAddress + r * width, count: width)
        let label = rows.labels.baseAddress[r]
        if labels.count < capacity {
            features.append(contentsOf: source)
            labels.append(label)
        } else {
            features.replaceSubrange((next * width)..<((next + 1) * width), with: source)
            labels[next] = label
        }
        next = (next + 1) % capacity
    }

    func dataset(featureNames: [String], classNames: [String]?) throws -> Dataset? {
        guard !labels.isEmpty else { return nil }
        let start = labels.count < capacity ? 0 : next
        let order = Array(start..<labels.count) + Array(0..<start)
        var x = [Float]()
        x.reserveCapacity(labels.count * width)
        for r in order { x.append(contentsOf: features[(r * width)..<((r + 1) * width)]) }
        return try Dataset(
            features: try Tensor(shape: Shape([labels.count, width]), values: x),
            labels: try Tensor(shape: Shape([labels.count]), values: order.map { labels[$0] }), featureNames: featureNames, classNames: classNames)
    }
}
