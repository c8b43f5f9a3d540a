/// The aggregation rule of one job on one shard, as a value: `deliver` takes a worker's push and returns what to do.
///
/// Sync (N of N + b): a version is applied once `effectiveReplicas` workers have each delivered every partition held
/// here, in one push or several (whole partitions, row chunks of dense partitions, embedding rows); each partition's
/// rows are then averaged over the gradients that arrived for them. Gradients for an older version are stale (the
/// slowest b workers' are dropped this way); a worker delivering rows it already delivered for the version is a
/// duplicate. Async: every fresh enough push is applied on arrival and moves the version by one (a chunked push
/// once its chunks cover every dense row held here). The type holds no lock and does no I/O: `ShardJob` keeps it
/// under the job's lock and performs the actions on the partitions' buffers.
struct AggregationStateMachine: Sendable {
    /// How the job aggregates.
    enum Mode: Sendable, Equatable {
        /// N of N + b.
        case sync(replicas: Int, backups: Int)
        /// Apply on arrival; drop gradients older than `maxStaleness` versions (nil: any age).
        case async(maxStaleness: Int?)
    }

    /// The most separate row ranges one worker's chunks of one partition may leave before the partition is complete
    /// (chunks sent in order merge into one; a worker keeping a few messages in flight makes a few).
    static let maxRowRanges = 1024

    let mode: Mode
    /// Per partition: rows of a dense partition, nil for an embedding partition (delivered as one unit).
    let partitionRows: [Int?]
    /// Rows of every dense partition (an async chunked push is complete once its chunks add up to these).
    let denseRowTotal: Int
    /// Updates applied so far.
    private(set) var version: UInt64 = 0
    /// Sync: the N currently required (1 for async).
    private(set) var effectiveReplicas: Int
    /// Sync: workers that delivered every partition for the current version.
    private(set) var completedWorkers = 0
    /// Sync: per partition, the workers whose gradient for all of it is in the sum.
    private var delivered: [Set<UInt32>]
    /// Sync: rows of a partition a worker has delivered in chunks, until they cover it.
    private var partial: [PartialKey: RowRanges] = [:]
    /// Sync: per worker, partitions it delivered completely for the current version.
    private var progress: [UInt32: Int] = [:]
    /// Async: rows each worker has delivered in chunks towards its current complete push.
    private var asyncRows: [UInt32: Int] = [:]

    struct PartialKey: Hashable, Sendable {
        var partition: Int
        var worker: UInt32
    }

    /// A rule for partitions of `partitionRows` (nil: embedding) at version 0; `denseRowTotal` is their dense rows' sum.
    init(mode: Mode, partitionRows: [Int?], denseRowTotal: Int) {
        self.mode = mode
        self.partitionRows = partitionRows
        self.denseRowTotal = denseRowTotal
        if case .sync(let replicas, _) = mode { effectiveReplicas = replicas } else { effectiveReplicas = 1 }
        delivered = Array(repeating: [], count: partitionRows.count)
    }

    /// Units of partition `i`: its rows, or 1 for an embedding partition.
    func units(_ i: Int) -> Int { partitionRows[i] ?? 1 }

    /// The rows `part` delivers.
    func rows(of part: Delivery.Part) -> Range<Int> { part.rows ?? 0..<units(part.partition) }

    /// Takes one worker's push.
    mutating func deliver(_ d: Delivery) -> AggregationAction {
        guard d.version <= version else { return .refuse(.futureVersion(current: version)) }
        let staleBy = version - d.version
        switch mode {
        case .sync:
            guard staleBy == 0 else { return .dropStale(staleBy: staleBy) }
            if let refusal = shapeProblem(d) { return .refuse(refusal) }
            return deliverSync(d)
        case .async(let maxStaleness):
            if let maxStaleness, staleBy > UInt64(clamping: maxStaleness) { return .dropStale(staleBy: staleBy) }
            if let refusal = shapeProblem(d) { return .refuse(refusal) }
            return deliverAsync(d)
        }
    }

    /// Sync: sets the effective N (1...N + b); when at least that many workers already completed, the version applies.
    mutating func setEffectiveReplicas(_ n: Int) -> AggregationAction {
        guard case .sync(let replicas, let backups) = mode else { return .refuse(.notSync) }
        let (limit, overflow) = replicas.addingReportingOverflow(backups)
        guard n >= 1, overflow || n <= limit else { return .refuse(.replicasOutOfRange(limit: overflow ? Int.max : limit, got: n)) }
        effectiveReplicas = n
        guard completedWorkers >= n else { return .accumulate(parts: [], count: completedWorkers, needed: n) }
        return .apply(finishVersion(summing: []))
    }

    /// Moves to `version` (a load or restore), forgetting everything delivered for the old one.
    mutating func restart(at version: UInt64) {
        self.version = version
        forgetVersion()
        asyncRows.removeAll()
    }

    /// A part outside its partition, or parts of one push repeating a partition or overlapping rows.
    private func shapeProblem(_ d: Delivery) -> AggregationRefusal? {
        // Parts in increasing partition order (as the data plane usually sends them) cannot repeat one.
        var increasing = true
        var last = -1
        for (n, p) in d.parts.enumerated() {
            guard p.partition >= 0, p.partition < partitionRows.count else { return .outside(part: n) }
            if let r = p.rows, r.lowerBound < 0 || r.upperBound > units(p.partition) || partitionRows[p.partition] == nil {
                return .outside(part: n)
            }
            if p.partition <= last { increasing = false }
            last = p.partition
        }
        guard !increasing else { return nil }
        // A partition may appear more than once only as disjoint row chunks.
        var byPartition: [Int: [(rows: Range<Int>, part: Int)]] = [:]
        for (n, p) in d.parts.enumerated() {
            if p.rows == nil, byPartition[p.partition] != nil { return .repeated(part: n) }
            if let first = byPartition[p.partition]?.first, d.parts[first.part].rows == nil { return .repeated(part: n) }
            byPartition[p.partition, default: []].append((rows(of: p), n))
        }
        for list in byPartition.values where list.count > 1 {
            let sorted = list.sorted { ($0.rows.lowerBound, $0.part) < ($1.rows.lowerBound, $1.part) }
            var end = Int.min
            for c in sorted {
                if c.rows.lowerBound < end { return .repeated(part: c.part) }
                end = max(end, c.rows.upperBound)
            }
        }
        return nil
    }

    private mutating func deliverSync(_ d: Delivery) -> AggregationAction {
        // Classify every part before changing anything, so a refusal leaves the state as it was.
        var fresh: [Int] = []
        for (n, p) in d.parts.enumerated() {
            if delivered[p.partition].contains(d.worker) { continue }
            let key = PartialKey(partition: p.partition, worker: d.worker)
            if let done = partial[key] {
                let r = rows(of: p)
                if done.contains(r) { continue }
                if p.rows == nil || done.overlaps(r) { return .refuse(.overlapping(part: n)) }
                if done.ranges.count >= Self.maxRowRanges { return .refuse(.fragmented(part: n)) }
            }
            fresh.append(n)
        }
        guard !fresh.isEmpty else { return .duplicate }
        var completed = 0
        for n in fresh where take(d.parts[n], from: d.worker) { completed += 1 }
        if completed > 0 {
            let count = progress[d.worker, default: 0] + completed
            progress[d.worker] = count
            if count == partitionRows.count { completedWorkers += 1 }
        }
        guard completedWorkers >= effectiveReplicas else {
            return .accumulate(parts: fresh, count: completedWorkers, needed: effectiveReplicas)
        }
        return .apply(finishVersion(summing: fresh))
    }

    /// Records one fresh part; true when it completes the worker's delivery of its partition (all rows covered).
    private mutating func take(_ p: Delivery.Part, from worker: UInt32) -> Bool {
        let i = p.partition
        if let r = p.rows {
            let key = PartialKey(partition: i, worker: worker)
            var done = partial.removeValue(forKey: key) ?? RowRanges()
            done.insert(r)
            guard done.rows >= units(i) else {
                if done.rows > 0 { partial[key] = done }
                return false
            }
        }
        return delivered[i].insert(worker).inserted
    }

    /// Sync: the update for the current version (summing `fresh` first), then the next version with nothing delivered.
    private mutating func finishVersion(summing fresh: [Int]) -> Update {
        let update = Update(summed: fresh, averages: averages(), step: version, newVersion: version + 1)
        version += 1
        forgetVersion()
        return update
    }

    /// Per partition, rows with how many gradients each holds: every worker that completed the partition, plus the
    /// chunks of workers that had not when the version applied (their rows are in the sum too).
    private func averages() -> [Average] {
        var chunksByPartition: [Int: [RowRanges]] = [:]
        for (key, done) in partial { chunksByPartition[key.partition, default: []].append(done) }
        var out: [Average] = []
        out.reserveCapacity(partitionRows.count)
        for i in partitionRows.indices {
            let whole = delivered[i].count
            guard let chunks = chunksByPartition[i] else {
                if whole > 0 { out.append(Average(partition: i, rows: 0..<units(i), count: whole)) }
                continue
            }
            // Sweep the chunk boundaries: each segment between two boundaries has one count.
            var changes: [Int: Int] = [0: 0, units(i): 0]
            for done in chunks {
                for r in done.ranges {
                    changes[r.lowerBound, default: 0] += 1
                    changes[r.upperBound, default: 0] -= 1
                }
            }
            var active = whole
            var start = 0
            for (row, change) in changes.sorted(by: { $0.key < $1.key }) {
                if row > start, active > 0 {
                    if let last = out.last, last.partition == i, last.count == active, last.rows.upperBound == start {
                        out[out.count - 1].rows = last.rows.lowerBound..<row
                    } else {
                        out.append(Average(partition: i, rows: start..<row, count: active))
                    }
                }
                active += change
                start = row
            }
        }
        return out
    }

    /// Forgets what was delivered for the current version.
    private mutating func forgetVersion() {
        for i in delivered.indices where !delivered[i].isEmpty { delivered[i].removeAll(keepingCapacity: true) }
        partial.removeAll()
        progress.removeAll(keepingCapacity: true)
        completedWorkers = 0
    }

    private mutating func deliverAsync(_ d: Delivery) -> AggregationAction {
        let step = version
        let all = Array(d.parts.indices)
        guard d.isChunked else {
            version += 1
            return .apply(Update(direct: all, step: step, newVersion: version))
        }
        // A chunked push's messages each apply at once (the optimizer is elementwise); the version moves when they
        // add up to every dense row here, so versions, schedules and Adam's bias correction count pushes, not chunks.
        var rows = asyncRows[d.worker, default: 0]
        for p in d.parts where partitionRows[p.partition] != nil {
            let (sum, overflow) = rows.addingReportingOverflow(self.rows(of: p).count)
            rows = overflow ? Int.max : sum
        }
        guard rows >= denseRowTotal else {
            asyncRows[d.worker] = rows
            return .apply(Update(direct: all, step: step, newVersion: nil))
        }
        asyncRows[d.worker] = nil
        version += 1
        return .apply(Update(direct: all, step: step, newVersion: version))
    }
}
