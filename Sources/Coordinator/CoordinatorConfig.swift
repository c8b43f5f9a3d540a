/// Tunables of the coordinator; time values are seconds.
public struct CoordinatorConfig: Sendable, Hashable, Codable {
    /// How often nodes heartbeat (default 1 s).
    public var heartbeatInterval: Double
    /// Silence after which a node is dead (default 10 s; suspect after half).
    public var heartbeatTimeout: Double
    /// Dense variables larger than this are partitioned along dim 0 (default 4 MiB).
    public var partitionThresholdBytes: Int
    /// Points of each source (training, evaluation) kept in each job's metric history (default 1000).
    public var metricHistoryLimit: Int
    /// After a stop condition, how long to wait for workers to confirm before the job succeeds anyway (default 60 s).
    public var stopGracePeriod: Double
    /// Training points averaged when `stop_at` is judged on training figures (default 20: the last ≈ 10 s).
    public var stopAtWindow: Int
    /// The job's history keeps at most one training point per this many seconds (default 0.5 s, workerd's report
    /// interval): each point is already the mean over every worker's latest report, so a newer one in the same
    /// interval replaces it — 50 workers' 100 reports a second no longer fill 1,000 points in 10 s.
    public var trainingPointInterval: Double = 0.5
    /// Sync jobs: how long after starting (or recovering) task slots nobody holds yet still count towards N, so the
    /// first steps wait for every worker instead of running with fewer (default 5 s).
    public var joinGrace: Double = 5
    /// Ended jobs kept; older ended ones are deleted as jobs end (0 keeps every job; default 1000).
    public var jobRetention: Int = 1000
    /// Succeeded jobs whose variables stay on their shards for `clusterctl pull`; older ones are released (default 8).
    public var retainedJobs: Int = 8
    /// Seconds a node stays listed after it died (silent past the heartbeat timeout) before it is forgotten
    /// (default 1 h); shards of active, retained or served jobs stay until those jobs let go of them.
    public var forgetDeadNodesAfter: Double = 3600

    /// How often the runtime calls `Coordinator.tick`, in seconds: the heartbeat interval, at most 1 s (checkpoints
    /// and restores are judged at every tick, liveness once per heartbeat interval).
    public var tickInterval: Double { min(heartbeatInterval, 1) }

    /// Creates a configuration with the documented defaults.
    public init(
        heartbeatInterval: Double = 1, heartbeatTimeout: Double = 10,
        partitionThresholdBytes: Int = Placement.defaultPartitionThresholdBytes, metricHistoryLimit: Int = 1000,
        stopGracePeriod: Double = 60, stopAtWindow: Int = 20
    ) {
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatTimeout = heartbeatTimeout
        self.partitionThresholdBytes = partitionThresholdBytes
        self.metricHistoryLimit = metricHistoryLimit
        self.stopGracePeriod = stopGracePeriod
        self.stopAtWindow = stopAtWindow
    }

    /// Checks that every value is in range.
    public func validate() throws(CoordinatorError) {
        guard heartbeatInterval > 0 else { throw CoordinatorError(.invalidConfig, "heartbeat interval must be > 0") }
        guard heartbeatTimeout > heartbeatInterval else {
            throw CoordinatorError(.invalidConfig, "heartbeat timeout must exceed the heartbeat interval")
        }
        guard partitionThresholdBytes > 0 else { throw CoordinatorError(.invalidConfig, "partition threshold must be > 0") }
        guard metricHistoryLimit > 0 else { throw CoordinatorError(.invalidConfig, "metric history limit must be > 0") }
        guard stopGracePeriod >= 0 else { throw CoordinatorError(.invalidConfig, "stop grace period must be ≥ 0") }
        guard stopAtWindow > 0 else { throw CoordinatorError(.invalidConfig, "stop_at window must be > 0") }
        guard trainingPointInterval.isFinite, trainingPointInterval >= 0 else {
            throw CoordinatorError(.invalidConfig, "the training point interval must be a finite number of seconds ≥ 0")
        }
        guard jobRetention >= 0 else { throw CoordinatorError(.invalidConfig, "job retention must be ≥ 0 (0 keeps every job)") }
        guard retainedJobs >= 0 else { throw CoordinatorError(.invalidConfig, "retained jobs must be ≥ 0") }
        guard forgetDeadNodesAfter.isFinite, forgetDeadNodesAfter >= 0 else {
            throw CoordinatorError(.invalidConfig, "the time dead nodes stay listed must be a finite number of seconds ≥ 0")
        }
    }

    enum CodingKeys: String, CodingKey {
        case heartbeatInterval = "heartbeat_interval"
        case heartbeatTimeout = "heartbeat_timeout"
        case partitionThresholdBytes = "partition_threshold_bytes"
        case metricHistoryLimit = "metric_history_limit"
        case stopGracePeriod = "stop_grace_period"
        case stopAtWindow = "stop_at_window"
    }
}
