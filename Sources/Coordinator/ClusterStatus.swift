/// Nodes of one role by liveness.
public struct NodeCounts: Sendable, Hashable, Codable {
    /// Alive nodes.
    public var alive = 0
    /// Suspect nodes.
    public var suspect = 0
    /// Dead nodes.
    public var dead = 0

    /// Counts one node.
    mutating func add(_ state: NodeState) {
        switch state {
        case .alive: alive += 1
        case .suspect: suspect += 1
        case .dead: dead += 1
        }
    }
}

/// Jobs by state.
public struct JobCounts: Sendable, Hashable, Codable {
    /// PENDING jobs.
    public var pending = 0
    /// RUNNING jobs.
    public var running = 0
    /// SUCCEEDED jobs.
    public var succeeded = 0
    /// FAILED jobs.
    public var failed = 0
    /// CANCELLED jobs.
    public var cancelled = 0

    /// Counts one job.
    mutating func add(_ state: JobState) {
        switch state {
        case .pending: pending += 1
        case .running: running += 1
        case .succeeded: succeeded += 1
        case .failed: failed += 1
        case .cancelled: cancelled += 1
        }
    }
}

/// The cluster at a glance (`clusterctl status`).
public struct ClusterStatus: Sendable, Hashable, Codable {
    /// Parameter-server nodes.
    public var ps = NodeCounts()
    /// Worker nodes.
    public var workers = NodeCounts()
    /// Workers holding a task of an active job.
    public var busyWorkers = 0
    /// Jobs by state.
    public var jobs = JobCounts()

    /// An empty status.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case ps, workers, jobs
        case busyWorkers = "busy_workers"
    }
}
