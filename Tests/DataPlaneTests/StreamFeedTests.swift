import DataPlane
import Foundation
import JobSpec
import Testing
import Training
import WorkerCore

/// A stream job's reader against real files in a data root: each row trained once across the workers, a resumed
/// reader neither repeats nor skips, files are taken in name order as they appear (never a hidden, half-written
/// one), a file unlike the first is left out with its reason, and evaluation sees the newest held-out rows.
@Suite struct StreamFeedTests {
    /// A data root with a `stream` directory; rows carry their id in column `id` (labels: id parity).
    final class StreamDir {
        let root: URL
        var dir: URL { root.appendingPathComponent("stream") }
        private var nextID = 0

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("stream-feed-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("stream"), withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        /// Writes `rows` rows as `name` the way a producer should: a hidden temporary file, then a rename.
        @discardableResult
        func add(_ name: String, rows: Int, header: String = "id,x,y") throws -> [Int] {
            let ids = Array(nextID..<(nextID + rows))
            nextID += rows
            let text = header + "\n" + ids.map { "\($0),\(Double($0 % 7) / 7),\($0 % 2)" }.joined(separator: "\n") + "\n"
            let temporary = dir.appendingPathComponent(".\(name).tmp")
            try Data(text.utf8).write(to: temporary)
            try FileManager.default.moveItem(at: temporary, to: dir.appendingPathComponent(name))
            return ids
        }
    }

    static func spec(workers: Int, batch: Int = 4, testFraction: Double = 0.25, window: Int = 1000) throws -> JobSpec {
        try JobSpecParser.parse(yaml: """
            name: stream
            model: {type: logistic}
            data: {format: csv, label: y, normalize: none, batch_size: \(batch), test_fraction: \(testFraction), stream: {dir: stream, pattern: '*.csv', eval_window: \(window)}}
            training: {mode: sync, seed: 3}
            cluster: {workers: \(workers)}
            """)
    }

    static func feed(_ stream: StreamDir, spec: JobSpec, worker: Int, skipped: SkipLog? = nil) throws -> StreamFeed {
        let section = try #require(spec.data.stream)
        let data = try #require(try WorkerData.loadStream(
            section, spec: spec, dataRoot: stream.root.path, workerIndex: worker, workerCount: spec.cluster.workers,
            onSkip: { name, reason in skipped?.add(name, reason) }))
        return try #require(data.stream)
    }

    /// The ids of every batch the feed has ready now.
    static func drain(_ feed: StreamFeed) throws -> [[Int]] {
        var batches: [[Int]] = []
        while let batch = try feed.nextBatch() { batches.append(ids(batch.features)) }
        return batches
    }

    static func ids(_ features: Tensor) -> [Int] {
        let values = features.toArray()
        return stride(from: 0, to: values.count, by: features.columns).map { Int(values[$0]) }
    }

    final class SkipLog: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [(String, String)] = []
        func add(_ name: String, _ reason: String) { lock.withLock { entries.append((name, reason)) } }
        var all: [(String, String)] { lock.withLock { entries } }
    }

    @Test func everyRowIsTrainedOnceAcrossTheWorkersAndHeldOutRowsNever() throws {
        let stream = try StreamDir()
        var all: [Int] = []
        for i in 0..<4 { all += try stream.add("part-\(i).csv", rows: 50 + 7 * i) }
        let spec = try Self.spec(workers: 3)
        var trained: [Int] = []
        var heldOut: Set<Int> = []
        for w in 0..<3 {
            let feed = try Self.feed(stream, spec: spec, worker: w)
            let batches = try Self.drain(feed)
            #expect(batches.allSatisfy { $0.count == 4 })
            trained += batches.flatMap { $0 }
            heldOut = Set(Self.ids(try #require(try feed.windowRows()).features))
        }
        #expect(Set(trained).count == trained.count, "no row is trained twice across the three workers")
        #expect(Set(trained).isDisjoint(with: heldOut), "held-out rows are never trained")
        let expectedHeld = [50, 57, 64, 71].map { Int((Double($0) * 0.25).rounded()) }.reduce(0, +)
        #expect(heldOut.count == expectedHeld)
        // Only the rows of each worker's last, incomplete batch wait (for the next file).
        let waiting = all.count - heldOut.count - trained.count
        #expect(waiting >= 0 && waiting < 3 * 4, "\(waiting) rows not yet in a batch")
    }

    @Test func aResumedReaderNeitherRepeatsNorSkips() throws {
        let stream = try StreamDir()
        for i in 0..<3 { try stream.add("\(i).csv", rows: 40) }
        let spec = try Self.spec(workers: 2, batch: 5)
        let uninterrupted = try Self.drain(try Self.feed(stream, spec: spec, worker: 1))
        // A task that ran 7 batches, then a new task of the same worker slot resuming at batch 7 (the checkpoint's step).
        let first = try Self.feed(stream, spec: spec, worker: 1)
        let before = try (0..<7).map { _ in Self.ids(try #require(try first.nextBatch()).features) }
        let resumed = try Self.feed(stream, spec: spec, worker: 1)
        resumed.skip(batches: 7)
        let after = try Self.drain(resumed)
        #expect(before + after == uninterrupted)
        #expect(uninterrupted.count > 7)
    }

    @Test func filesAreTakenInNameOrderAsTheyAppearAndNeverHalfWritten() throws {
        let stream = try StreamDir()
        let firstIDs = try stream.add("2026-12-01.csv", rows: 16)
        let spec = try Self.spec(workers: 1, batch: 4, testFraction: 0)
        let feed = try Self.feed(stream, spec: spec, worker: 0)
        #expect(Set(try Self.drain(feed).flatMap { $0 }) == Set(firstIDs))
        #expect(try feed.nextBatch() == nil, "no data: the worker waits")
        // A file being written (hidden name) or of another pattern is not taken.
        try Data("id,x,y\n999,0,1\n".utf8).write(to: stream.dir.appendingPathComponent(".2026-12-02.csv.tmp"))
        try Data("id,x,y\n998,0,1\n".utf8).write(to: stream.dir.appendingPathComponent("notes.txt"))
        #expect(try feed.nextBatch() == nil)
        let second = try stream.add("2026-12-02.csv", rows: 8)
        let third = try stream.add("2026-12-03.csv", rows: 8)
        let batches = try Self.drain(feed)
        #expect(batches.flatMap { $0 }.count == 16)
        #expect(Set(batches.prefix(2).flatMap { $0 }) == Set(second), "the older name first")
        #expect(Set(batches.suffix(2).flatMap { $0 }) == Set(third))
        #expect(feed.position.filesRead == 3 && feed.position.lastFile == "2026-12-03.csv")
    }

    @Test func aFileUnlikeTheFirstIsLeftOutWithItsReason() throws {
        let stream = try StreamDir()
        try stream.add("a.csv", rows: 8)
        try stream.add("b.csv", rows: 8, header: "id,z,y")
        try Data("id,x,y\n1,2,banana\n".utf8).write(to: stream.dir.appendingPathComponent("c.csv"))
        let good = try stream.add("d.csv", rows: 8)
        let log = SkipLog()
        let feed = try Self.feed(stream, spec: try Self.spec(workers: 1, testFraction: 0), worker: 0, skipped: log)
        let trained = try Self.drain(feed).flatMap { $0 }
        #expect(Set(trained).isSuperset(of: good))
        #expect(trained.count == 16, "a.csv and d.csv: \(trained)")
        let reasons = log.all
        #expect(reasons.map(\.0) == ["b.csv", "c.csv"])
        #expect(reasons.first?.1.contains("\"z\"") == true, "\(reasons)")
        #expect(reasons.last?.1.contains("text labels") == true, "\(reasons)")
    }

    @Test func evaluationSeesTheNewestHeldOutRows() throws {
        let stream = try StreamDir()
        try stream.add("0.csv", rows: 100)
        let newest = try stream.add("1.csv", rows: 100)
        let feed = try Self.feed(stream, spec: try Self.spec(workers: 1, testFraction: 0.2, window: 15), worker: 0)
        _ = try Self.drain(feed)
        let window = Self.ids(try #require(try feed.windowRows()).features)
        #expect(window.count == 15)
        #expect(Set(window).isSubset(of: Set(newest)), "the window holds the newest file's held-out rows: \(window)")
    }
}
