extension ShardJob {
    /// Under the lock, before anything changes: reserves from the shard's budget the arena growth that creating the
    /// embedding rows of `requests` (partition index, row keys) needs, and grows the arenas so that creating them
    /// allocates nothing more; `accumulating` (sync pushes) also counts the version's sum slots. All or nothing:
    /// `resourceExhausted` naming the need and the room changes nothing.
    func makeRoom(_ s: inout ShardJobState, for requests: [(index: Int, rowKeys: UnsafeBufferPointer<Int64>)], accumulating: Bool) throws(StoreError) {
        var byPartition: [Int: [UnsafeBufferPointer<Int64>]] = [:]
        for r in requests where !r.rowKeys.isEmpty { byPartition[r.index, default: []].append(r.rowKeys) }
        guard !byPartition.isEmpty else { return }
        var plans: [(SparseRows, SparseRows.Growth)] = []
        var total = 0
        for (i, lists) in byPartition.sorted(by: { $0.key < $1.key }) {
            guard let rows = s.partitions[i].rows else { continue }
            let growth = rows.growth(for: lists, accumulating: accumulating)
            guard let bytes = growth.bytes, case let (sum, false) = total.addingReportingOverflow(bytes) else {
                throw StoreError(.resourceExhausted, "\(describe(i)): the embedding rows this request would create do not fit in memory (\(growth.rows) rows).")
            }
            total = sum
            plans.append((rows, growth))
        }
        try budget.reserve(total, for: "Job \(jobID)'s new embedding rows")
        s.sparseBytes += total
        for (rows, growth) in plans { rows.reserve(growth) }
    }

    /// Under the lock, before a restore replaces embedding rows: reserves the growth holding `rowCounts` (partition
    /// index, rows) needs; all or nothing.
    func makeRoom(_ s: inout ShardJobState, restoring rowCounts: [(index: Int, rows: Int)]) throws(StoreError) {
        var total = 0
        for (i, n) in rowCounts {
            guard let rows = s.partitions[i].rows else { continue }
            guard let bytes = rows.arena.growthBytes(toHold: n), case let (sum, false) = total.addingReportingOverflow(bytes) else {
                throw StoreError(.resourceExhausted, "\(describe(i)): \(n) embedding rows from the checkpoint do not fit in memory.")
            }
            total = sum
        }
        try budget.reserve(total, for: "Job \(jobID)'s restored embedding rows")
        s.sparseBytes += total
        for (i, n) in rowCounts { s.partitions[i].rows?.arena.reserveCapacity(n) }
    }
}
