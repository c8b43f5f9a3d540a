import Logging
import Synchronization

/// The logic of one psd shard: partitions of each job's variables, their optimizer slots and versions.
///
/// Thread-safe: a table lock guards the set of jobs, and each job has its own lock, so pushes and
/// reads of different jobs never contend. It has no network; the transport layer calls it.
public final class ParameterShard: Sendable {
    let logger: Logger
    let memoryLimitBytes: Int?
    let table = Mutex(JobTable())
    /// Jobs currently paused for an async checkpoint (a cheap check on every push).
    let pausedJobs = Atomic<Int>(0)

    struct JobTable: ~Copyable {
        var jobs: [UInt64: ShardJob] = [:]
        var bytes = 0
    }

    /// Creates an empty shard; `memoryLimitBytes` (values, slots, sums) makes job creation fail with resourceExhausted beyond it.
    public init(logger: Logger = Logger(label: "tessera.store"), memoryLimitBytes: Int? = nil) {
        self.logger = logger
        self.memoryLimitBytes = memoryLimitBytes
    }

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
        for p in partitions {
            try p.validate(jobID: jobID)
            guard seen.insert(p.key).inserted else {
                throw StoreError(.invalidArgument, "Job \(jobID) lists partition \(p.key) of variable \(p.variable.name) twice.")
            }
            let (total, overflow) = bytes.addingReportingOverflow(PartitionStorage.plannedBytes(p, optimizer: optimizer, sync: consistency.mode == .sync))
            bytes = overflow ? Int.max : total
        }
        func check(_ existing: ShardJob) throws(StoreError) {
            guard existing.specs == partitions, existing.optimizer == optimizer, existing.consistency == consistency else {
                throw StoreError(.alreadyExists, "Job \(jobID) already exists on this shard with a different definition.")
            }
        }
        // Reserve the memory first so concurrent creations cannot both pass the limit.
        let existing: ShardJob? = try table.withLock { (t) throws(StoreError) in
            if let existing = t.jobs[jobID] { return existing }
            if let limit = memoryLimitBytes, bytes > limit - min(t.bytes, limit) {
                throw StoreError(.resourceExhausted, "Job \(jobID) needs \(bytes) bytes but this shard has \(limit - min(t.bytes, limit)) of its \(limit)-byte limit left.")
            }
            t.bytes += bytes
            return nil
        }
        if let existing { return try check(existing) }
        let job = ShardJob(jobID: jobID, specs: partitions, optimizer: optimizer, consistency: consistency, plannedBytes: bytes)
        let raced: ShardJob? = table.withLock { t in
            if let other = t.jobs[jobID] {
                t.bytes -= bytes
                return other
            }
            t.jobs[jobID] = job
            return nil
        }
        if let raced { return try check(raced) }
        logger.info("created job", metadata: [
            "job": "\(jobID)", "partitions": "\(partitions.count)", "bytes": "\(bytes)",
            "optimizer": "\(optimizer.kind.rawValue)", "mode": "\(consistency.mode.rawValue)",
        ])
    }

    /// Drops a job and frees its memory; pending long-polls fail with `cancelled`. False when the job was not here.
    @discardableResult
    public func dropJob(jobID: UInt64) -> Bool {
        guard let job = table.withLock({ t -> ShardJob? in
            guard let job = t.jobs.removeValue(forKey: jobID) else { return nil }
            t.bytes -= job.plannedBytes
            return job
        }) else { return false }
        job.markDropped().resumeAll(.failure(StoreError(.cancelled, "Job \(jobID) was dropped from this shard.")))
        logger.info("dropped job", metadata: ["job": "\(jobID)"])
        return true
    }

    /// Whether the job is on this shard.
    public func hasJob(_ jobID: UInt64) -> Bool { table.withLock { $0.jobs[jobID] != nil } }

    /// The ids of the jobs on this shard, ascending.
    public func jobIDs() -> [UInt64] { table.withLock { $0.jobs.keys.sorted() } }

    /// Bytes of values, slots and sums held for all jobs.
    public var bytesHeld: Int { table.withLock { $0.bytes } }

    /// The partitions of a job held here, in declared order.
    public func partitions(jobID: UInt64) throws(StoreError) -> [PartitionSpec] { try job(jobID).specs }

    /// The job's optimizer and consistency configuration.
    public func configuration(jobID: UInt64) throws(StoreError) -> (optimizer: OptimizerConfig, consistency: ConsistencyConfig) {
        let j = try job(jobID)
        return (j.optimizer, j.consistency)
    }

    /// A snapshot of the job's version, counters and partitions.
    public func stats(jobID: UInt64) throws(StoreError) -> ShardJobStats { try job(jobID).stats() }
}
