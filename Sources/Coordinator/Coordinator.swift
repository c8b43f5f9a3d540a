import Logging

/// The cluster's brain as a value-type state machine: members, jobs, task assignment, placement and progress.
/// The runtime holds one behind a lock, passes time in (seconds on a monotonic clock) and performs the returned actions.
public struct Coordinator: Sendable {
    /// Tunables.
    public let config: CoordinatorConfig
    /// Members and liveness.
    public internal(set) var membership: Membership
    var records = JobTable()
    var nextJobID: UInt64 = 1
    /// Hyperparameter-tuning studies (their trials are jobs in `records`).
    var studies = StudyTable()
    var nextStudyID: UInt64 = 1
    /// Each study's best succeeded trial's job: kept on its shards like a served job (for `clusterctl export study-N`).
    var studyBest: [StudyID: JobID] = [:]
    let logger: Logger
    /// Checkpoints in flight, their timing and retries, and restores in progress.
    var schedule = CheckpointSchedule()
    /// Succeeded jobs whose variables stay on their shards.
    var retained: RetainedJobs
    /// What the restore after a restart decided, for the runtime to perform once it runs (`takePendingActions`).
    var pendingActions: [CoordinatorAction] = []
    /// When `tick` sweeps liveness and polls the shards next (every heartbeat interval).
    var nextSweepAt = -Double.infinity
    /// What serving workers last reported about their replicas, by job and node, with the time it arrived (in memory:
    /// reports change every second and are not worth a store write).
    var replicaReports: [JobID: [NodeID: (report: ReplicaReport, at: Double)]] = [:]
    /// The name of the psd this coordinator runs in, once it registered (trusted, in process).
    public internal(set) var selfName: String?
    /// This coordinator's Tessera version, compared with each registering node's (`versionVerdict`); "" checks nothing.
    public var version = ""

    /// Creates an empty coordinator; `logger` receives state changes at info level.
    public init(config: CoordinatorConfig = CoordinatorConfig(), logger: Logger? = nil) throws(CoordinatorError) {
        try config.validate()
        self.config = config
        self.membership = Membership(heartbeatInterval: config.heartbeatInterval, heartbeatTimeout: config.heartbeatTimeout)
        self.logger = logger ?? Logger(label: "tessera.coordinator", factory: { _ in SwiftLogNoOpLogHandler() })
        self.retained = RetainedJobs(limit: config.retainedJobs)
    }

    // MARK: Membership

    /// Registers a node (idempotent by name: a restarted node keeps its id). A name whose node is alive needs that
    /// node's `secret` (see `Membership.register`); the record carries the secret the node must send from now on.
    /// `trusted` is the psd this coordinator runs in (in process): its name becomes `selfName`.
    public mutating func register(
        _ info: NodeInfo, secret: String? = nil, trusted: Bool = false, now: Double
    ) throws(CoordinatorError) -> NodeRecord {
        try checkVersion(info)
        let record = try membership.register(info, secret: secret, trusted: trusted, now: now)
        if trusted { selfName = info.name }
        logger.info("node registered", metadata: [
            "node": "\(record.id)", "name": "\(info.name)", "role": "\(info.role.rawValue)", "address": "\(info.address)",
        ])
        return record
    }

    /// Checks a node's secret (`.unknownNode` when it is not registered, `.unauthenticated` when the secret differs).
    public func authenticate(_ node: NodeID, secret: String) throws(CoordinatorError) {
        try membership.authenticate(node, secret: secret)
    }

    /// Records a heartbeat; returns a `.nodeChanged` action when a suspect or dead node comes back.
    public mutating func heartbeat(_ node: NodeID, now: Double) throws(CoordinatorError) -> [CoordinatorAction] {
        guard let change = try membership.heartbeat(node, now: now) else { return [] }
        log(change)
        return [.nodeChanged(change)]
    }

    /// Judges liveness, hands dead workers' tasks back, fails jobs whose shard died, ends stopped jobs whose
    /// workers are gone or past the grace period, and adjusts sync jobs' effective replicas. Call about once a second.
    public mutating func sweep(now: Double) -> [CoordinatorAction] {
        var actions: [CoordinatorAction] = []
        for change in membership.sweep(now: now) {
            actions.append(.nodeChanged(change))
            log(change)
            guard change.to == .dead else { continue }
            switch change.role {
            case .worker: vacateSlots(of: change.node)
            case .ps: actions += failJobs(onShard: change.node, name: change.name, now: now)
            }
        }
        forgetDeadNodes(now: now)
        placeReplicas()
        for id in activeJobIDs() {
            guard var job = records[id] else { continue }
            if let since = job.stopRequestedAt, now - since > config.stopGracePeriod {
                actions += end(&job, .succeeded, job.reason + " (not every worker confirmed)", now: now)
            } else {
                actions += completeIfDone(&job, now: now)
                actions += refreshEffectiveReplicas(&job, now: now)
            }
            records[id] = job
        }
        return actions
    }

    /// Forgets nodes dead for longer than `config.forgetDeadNodesAfter`, keeping the shards of active, retained and
    /// served jobs (a job's failure and recovery read them).
    mutating func forgetDeadNodes(now: Double) {
        var keep = Set<NodeID>()
        for id in records.active.union(records.served) { for shard in records[id]?.shards ?? [] { keep.insert(shard.nodeID) } }
        for job in retained.jobs { for shard in job.shards { keep.insert(shard.nodeID) } }
        for node in membership.forgetDead(after: config.forgetDeadNodesAfter, now: now, keep: keep) {
            logger.notice("dead node \(node.info.name) forgotten", metadata: ["node": "\(node.id)", "dead_for_s": "\(Int(now - node.lastSeen))"])
        }
    }

    /// Logs a node's liveness change (once: the runtime does not).
    func log(_ change: NodeTransition) {
        logger.notice("node \(change.name) is \(change.to.rawValue)", metadata: ["node": "\(change.node)", "was": "\(change.from.rawValue)"])
    }

    /// Every node, by id.
    public func nodes() -> [NodeRecord] { membership.nodes() }

    /// One node.
    public func node(_ id: NodeID) -> NodeRecord? { membership.node(id) }

    // MARK: Jobs

    /// Accepts a job (validated again; a model type that is not built in must be advertised by a known worker) as PENDING.
    public mutating func submit(_ spec: JobSpec, now: Double) throws(CoordinatorError) -> JobRecord {
        do { try spec.validate() } catch { throw CoordinatorError(error) }
        try checkModelType(spec)
        try checkBudget(spec)
        // The counter comes from the store (outside bytes): ids stop below Int64.max (what JSON tools and SQLite read).
        guard nextJobID >= 1, nextJobID < UInt64(Int64.max) else {
            throw CoordinatorError(.resourceExhausted, "job ids are exhausted (next id \(nextJobID)); the coordinator's store needs attention")
        }
        var initSource: JobID?
        if let reference = spec.initFromJob { initSource = try resolveInitSource(reference).id }
        let id = JobID(nextJobID)
        nextJobID += 1
        let slots = (0..<spec.cluster.workers).map {
            WorkerSlot(index: $0, node: nil, lastNode: nil, state: .vacant, progress: nil, lastReportAt: nil, trainingDone: nil)
        }
        var record = JobRecord(
            id: id, spec: spec, state: .pending, reason: "", submittedAt: now, startedAt: nil, endedAt: nil,
            workers: slots, placement: nil, step: 0, samples: 0, epoch: 0, stepsPerSecond: nil, training: nil,
            evaluation: nil, history: [], staleDropped: 0,
            effectiveReplicas: spec.training.mode == .sync ? spec.training.replicasToAggregate : 1,
            checkpoint: nil, stopRequestedAt: nil, shardSample: nil)
        record.serving = spec.serving.map { ServingState(replicas: $0.replicas, refreshMs: $0.refreshMs) }
        record.initSource = initSource
        records[id] = record
        logger.info("job submitted", metadata: ["job": "\(id)", "name": "\(spec.name)"])
        return record
    }

    /// One job.
    public func job(_ id: JobID) -> JobRecord? { records[id] }

    /// Every job, newest first.
    public func jobs() -> [JobRecord] { records.keys.sorted(by: >).compactMap { records[$0] } }

    /// A page of jobs, newest first: at most `limit`, only those in `state` when given; with how many matched in all.
    public func jobs(state: JobState?, limit: Int) -> (jobs: [JobRecord], total: Int) {
        let total = state.map { records.counts.count($0) } ?? records.count
        var page: [JobRecord] = []
        page.reserveCapacity(min(max(0, limit), total))
        for id in records.keys.sorted(by: >) where page.count < limit {
            guard let job = records[id], state == nil || job.state == state else { continue }
            page.append(job)
        }
        return (page, total)
    }

    /// PENDING and RUNNING jobs, oldest first.
    public func activeJobs() -> [JobRecord] { activeJobIDs().compactMap { records[$0] } }

    /// Jobs by state (kept up to date as jobs change: no walk over all jobs).
    public var jobCounts: JobCounts { records.counts }

    /// Cancels a PENDING or RUNNING job: its workers are told to stop and its shards drop it.
    /// Cancelling a cancelled job does nothing; cancelling another finished job is an error.
    public mutating func cancel(_ id: JobID, reason: String = "cancelled by user", now: Double) throws(CoordinatorError) -> [CoordinatorAction] {
        var job = try existing(id)
        if job.state == .cancelled { return [] }
        guard !job.state.isTerminal else {
            throw CoordinatorError(.invalidState, "\(id) already ended (\(job.state.rawValue)); nothing to cancel")
        }
        let actions = end(&job, .cancelled, reason, now: now)
        records[id] = job
        return actions
    }

    /// A job that must exist.
    func existing(_ id: JobID) throws(CoordinatorError) -> JobRecord {
        guard let job = records[id] else { throw CoordinatorError(.unknownJob, "no job \(id)") }
        return job
    }

    /// PENDING and RUNNING jobs, oldest first (FIFO service order).
    func activeJobIDs() -> [JobID] {
        records.active.sorted()
    }
}
