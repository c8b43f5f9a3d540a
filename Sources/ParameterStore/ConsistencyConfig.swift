import JobSpec

/// How a job's shard aggregates and accepts gradients.
public struct ConsistencyConfig: Sendable, Hashable, Codable {
    /// Sync or async (the job spec's `training.mode`).
    public var mode: TrainingMode
    /// Sync: how many distinct workers' gradients make one update (N).
    public var replicasToAggregate: Int
    /// Sync: extra workers whose late gradients are dropped (b); N + b workers run.
    public var backupWorkers: Int
    /// Async: drop gradients computed more than this many versions ago; `nil` accepts any age.
    public var maxStaleness: Int?

    /// Creates a configuration.
    public init(mode: TrainingMode, replicasToAggregate: Int = 1, backupWorkers: Int = 0, maxStaleness: Int? = nil) {
        self.mode = mode
        self.replicasToAggregate = replicasToAggregate
        self.backupWorkers = backupWorkers
        self.maxStaleness = maxStaleness
    }

    /// Async with no staleness bound.
    public static let async = ConsistencyConfig(mode: .async)

    /// Sync with N replicas to aggregate and b backup workers.
    public static func sync(replicas: Int, backups: Int = 0) -> ConsistencyConfig {
        ConsistencyConfig(mode: .sync, replicasToAggregate: replicas, backupWorkers: backups)
    }

    /// Async that drops gradients older than `maxStaleness` versions.
    public static func async(maxStaleness: Int?) -> ConsistencyConfig {
        ConsistencyConfig(mode: .async, maxStaleness: maxStaleness)
    }

    /// The most workers a job's counts may name (replicas to aggregate, backup workers), so sums of them never overflow.
    public static let maxWorkers = 1 << 20

    /// Throws `invalidArgument` when a count is out of range.
    public func validate() throws(StoreError) {
        if mode == .sync, replicasToAggregate < 1 || replicasToAggregate > Self.maxWorkers {
            throw StoreError(.invalidArgument, "replicas_to_aggregate must be in 1...\(Self.maxWorkers) in sync mode, got \(replicasToAggregate).")
        }
        if backupWorkers < 0 || backupWorkers > Self.maxWorkers {
            throw StoreError(.invalidArgument, "backup_workers must be in 0...\(Self.maxWorkers), got \(backupWorkers).")
        }
        if let s = maxStaleness, s < 0 {
            throw StoreError(.invalidArgument, "max_staleness must not be negative, got \(s).")
        }
    }
}
