import Logging

/// Everything the coordinator must persist so a restart loses nothing (nodes keep their ids, jobs their state).
public struct CoordinatorSnapshot: Sendable, Hashable, Codable {
    /// Registered nodes.
    public var nodes: [NodeRecord]
    /// Every job, oldest first.
    public var jobs: [JobRecord]
    /// The next job number to hand out.
    public var nextJobID: UInt64

    /// Creates a snapshot.
    public init(nodes: [NodeRecord], jobs: [JobRecord], nextJobID: UInt64) {
        self.nodes = nodes
        self.jobs = jobs
        self.nextJobID = nextJobID
    }

    enum CodingKeys: String, CodingKey {
        case nodes, jobs
        case nextJobID = "next_job_id"
    }
}

extension Coordinator {
    /// The persistable state (write it after every call that returned actions, or periodically).
    public func snapshot() -> CoordinatorSnapshot {
        CoordinatorSnapshot(nodes: membership.nodes(), jobs: records.keys.sorted().compactMap { records[$0] }, nextJobID: nextJobID)
    }

    /// Restores a coordinator after a restart at time `now` (use a clock whose origin survives restarts, e.g. Unix time;
    /// nodes get a fresh heartbeat timeout).
    public init(restoring snapshot: CoordinatorSnapshot, config: CoordinatorConfig = CoordinatorConfig(), logger: Logger? = nil, now: Double) throws(CoordinatorError) {
        try self.init(config: config, logger: logger)
        membership = Membership(
            restoring: snapshot.nodes, heartbeatInterval: config.heartbeatInterval,
            heartbeatTimeout: config.heartbeatTimeout, now: now)
        for job in snapshot.jobs { records[job.id] = job }
        nextJobID = max(snapshot.nextJobID, (snapshot.jobs.map(\.id.rawValue).max() ?? 0) + 1)
    }
}
