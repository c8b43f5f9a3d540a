import ParameterStore
import TensorWire
import Testing

/// Random interleavings (seeded) of N + b workers pushing dense, chunked and sparse gradients over several versions,
/// with duplicates and changes of N mid-version, checked against a plain model of the rule: every version applies
/// when exactly N workers have delivered everything, each row moves by the average of the gradients accepted for
/// it, and stale + duplicate + accepted = delivered.
@Suite struct AggregationPropertyTests {
    /// Dense partitions (rows, width): a matrix, a vector and a scalar; then an embedding of 8 rows of width 2.
    static let dense = [(rows: 6, width: 2), (rows: 3, width: 1), (rows: 1, width: 1)]
    static let embedding = 3, vocabulary = 8, embeddingWidth = 2

    func makeShard(_ consistency: ConsistencyConfig) throws -> ParameterShard {
        let shard = ParameterShard()
        try shard.createJob(
            jobID: 1,
            partitions: [
                wholePartition(0, "a", [6, 2]), wholePartition(1, "b", [3]), wholePartition(2, "c", []),
                embeddingPartition(3, vocabulary: Self.vocabulary, width: Self.embeddingWidth, .zeros),
            ],
            optimizer: .sgd(1), consistency: consistency)
        return shard
    }

    @Test(arguments: 0..<120)
    func syncWorkersInAnyOrderApplyExactlyNAndTheAverage(seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed))
        let n = Int.random(in: 1...3, using: &rng), backups = Int.random(in: 0...2, using: &rng)
        let workers = n + backups
        let shard = try makeShard(.sync(replicas: n, backups: backups))
        var model = SyncModel(replicas: n)
        var delivered = 0
        for _ in 0..<4 {
            let version = model.version
            var queues = (0..<workers).map { _ in Self.plan(&rng) }
            while queues.contains(where: { !$0.isEmpty }) {
                if Int.random(in: 0..<12, using: &rng) == 0 {
                    let replicas = Int.random(in: 1...workers, using: &rng)
                    try shard.setEffectiveReplicas(jobID: 1, replicas)
                    model.setReplicas(replicas)
                }
                let w = (0..<workers).filter { !queues[$0].isEmpty }.randomElement(using: &rng)!
                let parts = queues[w].removeFirst()
                let outcome = try Self.push(shard, worker: UInt32(w), version: version, parts)
                delivered += 1
                #expect(outcome == model.push(worker: UInt32(w), version: version, parts), "seed \(seed)")
                let stats = try shard.stats(jobID: 1)
                #expect(stats.version == model.version && stats.accumulated == model.completed.count && stats.effectiveReplicas == model.replicas)
            }
            #expect(model.version == version + 1, "every worker delivered everything: the version applied once")
            try expectValues(shard, model, seed: seed)
        }
        let stats = try shard.stats(jobID: 1)
        #expect(stats.pushes == UInt64(delivered) && stats.rejected == 0)
        #expect(stats.staleDropped == UInt64(model.stale) && stats.duplicateDropped == UInt64(model.duplicate))
        #expect(model.stale + model.duplicate + model.accepted == delivered)
        #expect(stats.applied == UInt64(model.version))
    }

    @Test(arguments: 0..<40)
    func asyncWorkersInAnyOrderApplyEveryGradientOnce(seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed) + 1000)
        let workers = Int.random(in: 1...3, using: &rng), steps = 3
        let shard = try makeShard(.async)
        var total = Self.dense.map { [Double](repeating: 0, count: $0.rows * $0.width) }
        // Each step is one push of whole partitions or the messages of a chunked push (every part a row range).
        var queues = (0..<workers).map { _ in (0..<steps).flatMap { _ in Self.asyncStep(&rng) } }
        while queues.contains(where: { !$0.isEmpty }) {
            let w = (0..<workers).filter { !queues[$0].isEmpty }.randomElement(using: &rng)!
            let parts = queues[w].removeFirst()
            for p in parts {
                let first = (p.rows?.lowerBound ?? 0) * Self.dense[p.partition].width
                for (i, g) in p.floats.enumerated() { total[p.partition][first + i] += Double(g) }
            }
            let outcome = try Self.push(shard, worker: UInt32(w), version: try shard.version(jobID: 1), parts)
            #expect(outcome != .duplicate && outcome != .dropped(staleBy: 0))
        }
        // SGD with rate 1 and exact quarters: the values are minus the sum of every gradient; a version per worker step.
        for p in Self.dense.indices {
            #expect(try values(shard, key(UInt32(p))).map(Double.init) == total[p].map { -$0 }, "seed \(seed) partition \(p)")
        }
        #expect(try shard.version(jobID: 1) == UInt64(workers * steps))
    }

    /// One async worker step: one push of whole dense partitions, or chunks of all of them (in random order and messages).
    static func asyncStep(_ rng: inout SeededGenerator) -> [[TestPart]] {
        let wholeStep = Bool.random(using: &rng)
        let parts = dense.indices.flatMap { denseParts($0, whole: wholeStep, asRows: !wholeStep, &rng) }
        return wholeStep ? [parts] : group(parts.shuffled(using: &rng), &rng)
    }

    func expectValues(_ shard: ParameterShard, _ model: SyncModel, seed: Int) throws {
        for p in Self.dense.indices {
            let got = try values(shard, key(UInt32(p)))
            #expect(zip(got, model.values[p]).allSatisfy { abs(Double($0) - $1) < 1e-4 }, "seed \(seed) partition \(p): \(got) vs \(model.values[p])")
        }
        let keys = model.rows.keys.sorted()
        let got = try pullRows(shard, key(UInt32(Self.embedding)), keys).rows
        for (k, row) in zip(keys, got) {
            #expect(zip(row, model.rows[k]!).allSatisfy { abs(Double($0) - $1) < 1e-4 }, "seed \(seed) row \(k)")
        }
    }

    /// One worker's gradients for a version, split into pushes in random order: dense partitions whole or in random
    /// row chunks, the embedding's rows (random keys, repeats allowed); some pushes are sent again later and some later
    /// pushes also carry an earlier part.
    static func plan(_ rng: inout SeededGenerator) -> [[TestPart]] {
        var parts = dense.indices.flatMap { denseParts($0, whole: Bool.random(using: &rng), asRows: false, &rng) }
        let keys = (0..<Int.random(in: 1...4, using: &rng)).map { _ in Int64.random(in: 0..<Int64(vocabulary), using: &rng) }
        parts.append(TestPart(partition: Self.embedding, rows: nil, floats: gradient(keys.count * embeddingWidth, &rng), keys: keys))
        var pushes = group(parts.shuffled(using: &rng), &rng)
        guard pushes.count > 1 else { return pushes }
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            let i = Int.random(in: 0..<(pushes.count - 1), using: &rng)
            if Bool.random(using: &rng) {
                pushes.insert(pushes[i], at: Int.random(in: (i + 1)...pushes.count, using: &rng))
                continue
            }
            let later = Int.random(in: (i + 1)..<pushes.count, using: &rng)
            let earlier = pushes[i].randomElement(using: &rng)!
            // A push may carry a partition twice only as disjoint rows.
            let clash = pushes[later].contains {
                $0.partition == earlier.partition && ($0.rows == nil || earlier.rows == nil || $0.rows!.overlaps(earlier.rows!))
            }
            if !clash { pushes[later].append(earlier) }
        }
        return pushes
    }

    /// Quarters in -2...2 (sums stay exact).
    static func gradient(_ count: Int, _ rng: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float(Int.random(in: -8...8, using: &rng)) * 0.25 }
    }

    /// Dense partition `p`'s gradient: whole, or in 1–3 row chunks; `asRows` sends a whole one as a range of all its rows.
    static func denseParts(_ p: Int, whole: Bool, asRows: Bool, _ rng: inout SeededGenerator) -> [TestPart] {
        let d = dense[p]
        if whole { return [TestPart(partition: p, rows: asRows ? 0..<d.rows : nil, floats: gradient(d.rows * d.width, &rng))] }
        var cuts = Set((0..<Int.random(in: 0...2, using: &rng)).map { _ in Int.random(in: 0...d.rows, using: &rng) })
        cuts.formUnion([0, d.rows])
        let bounds = cuts.sorted()
        return zip(bounds, bounds.dropFirst()).map { a, b in TestPart(partition: p, rows: a..<b, floats: gradient((b - a) * d.width, &rng)) }
    }

    /// Splits parts into pushes at random points (order kept).
    static func group(_ parts: [TestPart], _ rng: inout SeededGenerator) -> [[TestPart]] {
        var pushes: [[TestPart]] = [[]]
        for part in parts {
            pushes[pushes.count - 1].append(part)
            if Bool.random(using: &rng) { pushes.append([]) }
        }
        return pushes.filter { !$0.isEmpty }
    }

    /// Pushes `parts` as one request.
    static func push(_ shard: ParameterShard, worker: UInt32, version: UInt64, _ parts: [TestPart]) throws -> PushOutcome {
        let floats = parts.map { p in
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: p.floats.count)
            _ = b.initialize(from: p.floats)
            return b
        }
        let keys = parts.map { p in
            let b = UnsafeMutableBufferPointer<Int64>.allocate(capacity: p.keys.count)
            _ = b.initialize(from: p.keys)
            return b
        }
        defer { for b in floats { b.deallocate() }; for b in keys { b.deallocate() } }
        let gradients = parts.indices.map { i -> PushRequest.Gradient in
            let k = key(UInt32(parts[i].partition)), g = UnsafeBufferPointer(floats[i])
            if parts[i].partition == embedding { return .sparse(k, rowKeys: UnsafeBufferPointer(keys[i]), rows: g) }
            guard let rows = parts[i].rows else { return .partition(k, g) }
            return .rows(k, rowOffset: rows.lowerBound, g)
        }
        return try shard.push(PushRequest(jobID: 1, workerID: worker, version: version, gradients: gradients))
    }
}

/// One gradient of a test push: a dense partition (whole or rows) or the embedding's rows.
struct TestPart {
    var partition: Int
    var rows: Range<Int>?
    var floats: [Float]
    var keys: [Int64] = []
}

/// The sync rule written plainly (sets of delivered rows, sums in Double), and the values SGD with rate 1 leads to.
struct SyncModel {
    typealias Dense = AggregationPropertyTests
    var replicas: Int
    var version: UInt64 = 0
    var values = Dense.dense.map { [Double](repeating: 0, count: $0.rows * $0.width) }
    var rows: [Int64: [Double]] = [:]
    var sums = Dense.dense.map { [Double](repeating: 0, count: $0.rows * $0.width) }
    var counts = Dense.dense.map { [Int](repeating: 0, count: $0.rows) }
    var rowSums: [Int64: [Double]] = [:]
    var embeddingWorkers = Set<UInt32>()
    var deliveredRows: [UInt32: [Set<Int>]] = [:]
    var completed = Set<UInt32>()
    var stale = 0, duplicate = 0, accepted = 0

    init(replicas: Int) { self.replicas = replicas }

    /// Whether `worker` has not delivered `part` yet (a part is all new or all delivered in these tests).
    func isNew(_ part: TestPart, from worker: UInt32) -> Bool {
        if part.partition == Dense.embedding { return !embeddingWorkers.contains(worker) }
        let rows = part.rows ?? 0..<Dense.dense[part.partition].rows
        let done = deliveredRows[worker]?[part.partition] ?? []
        return rows.allSatisfy { !done.contains($0) }
    }

    /// What the shard should answer, updating the model.
    mutating func push(worker: UInt32, version v: UInt64, _ parts: [TestPart]) -> PushOutcome {
        guard v == version else {
            stale += 1
            return .dropped(staleBy: version - v)
        }
        let fresh = parts.filter { isNew($0, from: worker) }
        guard !fresh.isEmpty else {
            duplicate += 1
            return .duplicate
        }
        accepted += 1
        for part in fresh { take(part, from: worker) }
        let done = deliveredRows[worker] ?? []
        if embeddingWorkers.contains(worker), Dense.dense.indices.allSatisfy({ done.count > $0 && done[$0].count == Dense.dense[$0].rows }) {
            completed.insert(worker)
        }
        guard completed.count >= replicas else { return .accumulated(count: completed.count, needed: replicas) }
        #expect(completed.count == replicas, "a version applies with exactly N complete workers")
        apply()
        return .applied(newVersion: version)
    }

    /// A change of effective N: applies when enough workers are complete.
    mutating func setReplicas(_ n: Int) {
        replicas = n
        if completed.count >= n { apply() }
    }

    private mutating func take(_ part: TestPart, from worker: UInt32) {
        if part.partition == Dense.embedding {
            let w = Dense.embeddingWidth
            for (i, k) in part.keys.enumerated() {
                var sum = rowSums[k] ?? [Double](repeating: 0, count: w)
                for c in 0..<w { sum[c] += Double(part.floats[i * w + c]) }
                rowSums[k] = sum
            }
            embeddingWorkers.insert(worker)
            return
        }
        let d = Dense.dense[part.partition], rows = part.rows ?? 0..<d.rows
        var done = deliveredRows[worker] ?? Array(repeating: [], count: Dense.dense.count)
        for r in rows {
            for c in 0..<d.width { sums[part.partition][r * d.width + c] += Double(part.floats[(r - rows.lowerBound) * d.width + c]) }
            counts[part.partition][r] += 1
            done[part.partition].insert(r)
        }
        deliveredRows[worker] = done
    }

    private mutating func apply() {
        for (p, d) in Dense.dense.enumerated() {
            for r in 0..<d.rows where counts[p][r] > 0 {
                for c in 0..<d.width { values[p][r * d.width + c] -= sums[p][r * d.width + c] / Double(counts[p][r]) }
            }
        }
        for (k, sum) in rowSums {
            var row = rows[k] ?? [Double](repeating: 0, count: Dense.embeddingWidth)
            for c in row.indices { row[c] -= sum[c] / Double(embeddingWorkers.count) }
            rows[k] = row
        }
        sums = Dense.dense.map { [Double](repeating: 0, count: $0.rows * $0.width) }
        counts = Dense.dense.map { [Int](repeating: 0, count: $0.rows) }
        rowSums = [:]
        embeddingWorkers = []
        deliveredRows = [:]
        completed = []
        version += 1
    }
}
