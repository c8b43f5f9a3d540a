/// A job's serving replicas as the coordinator keeps them (persisted with the job): how many are wanted, how fresh
/// they stay, and the workers they are placed on. What the replicas report (version, age, problems) is not kept
/// here but in `ReplicaReports`, so a report does not rewrite the job's record.
public struct ServingState: Sendable, Hashable, Codable {
    /// Replicas wanted (0: not served).
    public var replicas: Int
    /// Least milliseconds between two parameter pulls of a replica.
    public var refreshMs: Int
    /// The workers holding a replica, in placement order.
    public var nodes: [NodeID]

    /// A serving state with nothing placed yet.
    public init(replicas: Int, refreshMs: Int, nodes: [NodeID] = []) {
        self.replicas = replicas
        self.refreshMs = refreshMs
        self.nodes = nodes
    }

    enum CodingKeys: String, CodingKey {
        case replicas, nodes
        case refreshMs = "refresh_ms"
    }
}

/// What a serving worker reports about one replica it runs.
public struct ReplicaReport: Sendable, Hashable {
    /// The job served.
    public var job: JobID
    /// Job step of the parameters answering (0 before the first pull).
    public var version: Int
    /// Seconds since those parameters were pulled.
    public var ageSeconds: Double
    /// Whether it answers predictions (it pulled at least once).
    public var available: Bool
    /// Why its last refresh failed; nil when it did not.
    public var problem: String?

    /// A report.
    public init(job: JobID, version: Int, ageSeconds: Double, available: Bool, problem: String? = nil) {
        self.job = job
        self.version = version
        self.ageSeconds = ageSeconds
        self.available = available
        self.problem = problem
    }
}

/// One placed replica as `describe` shows it.
public struct ReplicaStatus: Sendable, Hashable {
    /// The worker that runs it.
    public var node: NodeID
    /// Its latest report, with the coordinator time it arrived; nil before the first.
    public var report: ReplicaReport?
    /// Coordinator seconds of that report.
    public var reportedAt: Double?

    /// starting (no parameters yet), serving, or failing (the last refresh failed).
    public var state: String {
        guard let report else { return "starting" }
        if report.problem != nil { return "failing" }
        return report.available ? "serving" : "starting"
    }

    /// Seconds since its parameters were pulled, as of `now`.
    public func ageSeconds(now: Double) -> Double? {
        guard let report, let reportedAt, report.available else { return nil }
        return max(0, report.ageSeconds + now - reportedAt)
    }
}
