import Synchronization

/// One job on one shard: immutable definition outside the lock, mutable state inside it.
final class ShardJob: Sendable {
    let jobID: UInt64
    let specs: [PartitionSpec]
    let optimizer: OptimizerConfig
    let consistency: ConsistencyConfig
    let kernel: OptimizerKernel
    /// Partition index by key.
    let index: [PartitionKey: Int]
    /// Element count by partition index.
    let counts: [Int]
    /// Bytes of the dense buffers allocated at creation (reserved in `budget`; embedding rows are reserved as they grow).
    let plannedBytes: Int
    /// The shard's memory budget, shared by its jobs.
    let budget: MemoryBudget
    let state: Mutex<ShardJobState>

    /// Allocates and initialises every partition; the specs and configs must already be validated (`plannedBytes`
    /// reserved in `budget`, `denseRowTotal` counted without overflow).
    init(
        jobID: UInt64, specs: [PartitionSpec], optimizer: OptimizerConfig, consistency: ConsistencyConfig, plannedBytes: Int,
        denseRowTotal: Int, budget: MemoryBudget
    ) {
        self.jobID = jobID
        self.specs = specs
        self.optimizer = optimizer
        self.consistency = consistency
        self.plannedBytes = plannedBytes
        self.budget = budget
        kernel = OptimizerKernel(config: optimizer)
        var index: [PartitionKey: Int] = [:]
        for (i, s) in specs.enumerated() { index[s.key] = i }
        self.index = index
        counts = specs.map(\.elementCount)
        let sync = consistency.mode == .sync
        let partitions = specs.map { PartitionStorage(spec: $0, optimizer: optimizer, sync: sync) }
        let mode: AggregationStateMachine.Mode =
            sync ? .sync(replicas: consistency.replicasToAggregate, backups: consistency.backupWorkers) : .async(maxStaleness: consistency.maxStaleness)
        let aggregation = AggregationStateMachine(mode: mode, partitionRows: specs.map { $0.isSparse ? nil : $0.rowCount }, denseRowTotal: denseRowTotal)
        state = Mutex(ShardJobState(partitions: partitions, aggregation: aggregation))
    }

    var isSync: Bool { consistency.mode == .sync }

    /// "job 7, variable dense_0/kernel (3/0)".
    func describe(_ i: Int) -> String {
        "job \(jobID), variable \(specs[i].variable.name) (\(specs[i].key))"
    }

    /// The index of `key`, or `notFound`.
    func indexOf(_ key: PartitionKey) throws(StoreError) -> Int {
        guard let i = index[key] else {
            throw StoreError(.notFound, "Job \(jobID) has no partition \(key) (variable \(key.variableID), partition \(key.partition)) on this shard.")
        }
        return i
    }

    /// The index of a dense partition `key`; `notFound` when unknown, `invalidArgument` for an embedding partition.
    func denseIndexOf(_ key: PartitionKey) throws(StoreError) -> Int {
        let i = try indexOf(key)
        guard !specs[i].isSparse else {
            throw StoreError(.invalidArgument, "\(describe(i)): an embedding partition is read and written by row keys (sparse pulls and pushes), not densely.")
        }
        return i
    }

    /// Drops the job: later operations fail, waiters are returned for cancellation, and every byte it reserved
    /// (dense buffers and embedding arenas) goes back to the budget.
    func markDropped() -> [VersionWaiter] {
        let (waiters, bytes): ([VersionWaiter], Int) = state.withLock { s in
            guard !s.dropped else { return ([], 0) }
            s.dropped = true
            let w = s.waiters
            s.waiters.removeAll()
            for r in s.captureRequests { r.continuation.resume(returning: .failure(droppedError)) }
            s.captureRequests.removeAll()
            s.pausedUntil = nil
            let bytes = s.sparseBytes
            s.sparseBytes = 0
            return (w, bytes)
        }
        budget.release(plannedBytes + bytes)
        return waiters
    }

    /// The error for an operation on a job dropped after it was looked up.
    var droppedError: StoreError { StoreError(.notFound, "Job \(jobID) was dropped from this shard.") }

    /// A snapshot of the job's state and counters.
    func stats() -> ShardJobStats {
        state.withLock { s in
            ShardJobStats(
                version: s.version, mode: consistency.mode, effectiveReplicas: s.aggregation.effectiveReplicas,
                accumulated: s.aggregation.completedWorkers, waiting: s.waiters.count, counters: s.counters,
                variables: s.partitions.map {
                    .init(key: $0.spec.key, name: $0.spec.variable.name, shape: $0.spec.shape, bytes: $0.valueBytes, slotBytes: $0.auxiliaryBytes)
                }
            )
        }
    }
}
