import Logging
import Synchronization

/// The logic of one psd shard: partitions of each job's variables, their optimizer slots and versions.
///
/// Thread-safe: a table lock guards the set of jobs, and each job has its own lock, so pushes and
/// reads of different jobs never contend. It has no network; the transport layer calls it.
public final class ParameterShard: Sendable {
    let logger: Logger
    /// Bytes of job state held and the limit on them.
    let budget: MemoryBudget
    let table = Mutex(JobTable())
    /// Jobs currently paused for an async checkpoint (a cheap check on every push).
    let pausedJobs = Atomic<Int>(0)

    struct JobTable: ~Copyable {
        var jobs: [UInt64: ShardJob] = [:]
    }

    /// Creates an empty shard; beyond `memoryLimitBytes` of job state (values, slots, sums, embedding rows) creating
    /// a job, or embedding rows on first touch, fails with resourceExhausted.
    public init(logger: Logger = Logger(label: "tessera.store"), memoryLimitBytes: Int? = nil) {
        self.logger = logger
        self.budget = MemoryBudget(limit: memoryLimitBytes)
    }

    /// The largest version a restore or load may set: far from UInt64.max, so counting updates on never overflows.
    public static let maxVersion: UInt64 = 1 << 62

    /// The most bytes of job state this shard holds (nil: unlimited).
    public var memoryLimitBytes: Int? { budget.limit }

    /// The job, or `notFound`.
    func job(_ jobID: UInt64) throws(StoreError) -> ShardJob {
        guard let job = table.withLock({ $0.jobs[jobID] }) else {
            throw StoreError(.notFound, "Job \(jobID) is not on this shard.")
        }
        return job
    }

    /// Creates a job's partitions, initialised from their seeds; idempotent when identical, `alreadyExists` when different.
    public func createJob(jobID: UInt64, partitions: [PartitionSpec], optimizer: OptimizerConfig, consistency: ConsistencyConfig) throws(StoreError) {
        try optimizer.validate()
        try consistency.validate()
        var seen = Set<PartitionKey>()
        var bytes = 0
        var denseRows = 0
        for p in partitions {
            try p.validate(jobID: jobID)
            guard seen.insert(p.key).inserted else {
                throw StoreError(.invalidArgument, "Job \(jobID) lists partition \(p.key) of variable \(p.variable.name) twice.")
            }
            let planned = PartitionStorage.plannedBytes(p, optimizer: optimizer, sync: consistency.mode == .sync)
            guard let planned, case let (total, false) = bytes.addingReportingOverflow(planned) else {
                throw StoreError(.resourceExhausted, "Job \(jobID): its partitions and optimizer slots take more bytes than an Int counts.")
            }
            bytes = total
            if !p.isSparse {
                guard case let (rows, false) = denseRows.addingReportingOverflow(p.rowCount) else {
                    throw StoreError(.invalidArgument, "Job \(jobID): its partitions hold more rows than an Int counts.")
                }
                denseRows = rows
            }
        }
        func check(_ existing: ShardJob) throws(StoreError) {
            guard existing.specs == partitions, existing.optimizer == optimizer, existing.consistency == consistency else {
                throw StoreError(.alreadyExists, "Job \(jobID) already exists on this shard with a different definition.")
            }
        }
        if let existing = table.withLock({ $0.jobs[jobID] }) { return try check(existing) }
        // Reserve the memory before allocating it, so concurrent creations cannot both pass the limit.
        try budget.reserve(bytes, for: "Job \(jobID)'s partitions and optimizer slots")
        let job = ShardJob(
            jobID: jobID, specs: partitions, optimizer: optimizer, consistency: consistency, plannedBytes: bytes,
            denseRowTotal: denseRows, budget: budget)
        let raced: ShardJob? = table.withLock { t in
            if let other = t.jobs[jobID] { return other }
            t.jobs[jobID] = job
            return nil
        }
        if let raced {
            budget.release(bytes)
            return try check(raced)
        }
        logger.info("created job", metadata: [
            "job": "\(jobID)", "partitions": "\(partitions.count)", "bytes": "\(bytes)",
            "optimizer": "\(optimizer.kind.rawValue)", "mode": "\(consistency.mode.rawValue)",
        ])
    }

    /// Drops a job and frees its memory; pending long-polls fail with `cancelled`. False when the job was not here.
    @discardableResult
    public func dropJob(jobID: UInt64) -> Bool {
        guard let job = table.withLock({ $0.jobs.removeValue(forKey: jobID) }) else { return false }
        job.markDropped().resumeAll(.failure(StoreError(.cancelled, "Job \(jobID) was dropped from this shard.")))
        logger.info("dropped job", metadata: ["job": "\(jobID)"])
        return true
    }

    /// Whether the job is on this shard.
    public func hasJob(_ jobID: UInt64) -> Bool { table.withLock { $0.jobs[jobID] != nil } }

    /// The ids of the jobs on this shard, ascending.
    public func jobIDs() -> [UInt64] { table.withLock { $0.jobs.keys.sorted() } }

    /// Bytes of values, slots, sums and embedding arenas held for all jobs.
    public var bytesHeld: Int { budget.bytesUsed }

    /// The partitions of a job held here, in declared order.
    public func partitions(jobID: UInt64) throws(StoreError) -> [PartitionSpec] { try job(jobID).specs }

    /// One partition of a job held here (a dictionary lookup), or `notFound`.
    public func partition(jobID: UInt64, key: PartitionKey) throws(StoreError) -> PartitionSpec {
        let job = try job(jobID)
        return job.specs[try job.indexOf(key)]
    }

    /// The job's optimizer and consistency configuration.
    public func configuration(jobID: UInt64) throws(StoreError) -> (optimizer: OptimizerConfig, consistency: ConsistencyConfig) {
        let j = try job(jobID)
        return (j.optimizer, j.consistency)
    }

    /// A snapshot of the job's version, counters and partitions.
    public func stats(jobID: UInt64) throws(StoreError) -> ShardJobStats { try job(jobID).stats() }
}
