/// A training job as submitted with `clusterctl submit job.yaml`; every field holds its resolved value (defaults filled in).
public struct JobSpec: Sendable, Hashable, Codable {
    /// Job name: letters, digits, `.`, `_`, `-` (used for TensorBoard and checkpoint folders).
    public var name: String
    /// The model family and its shape.
    public var model: ModelSpec
    /// Where the examples come from and how they are batched.
    public var data: DataSpec
    /// The optimizer applied on the shards.
    public var optimizer: OptimizerSpec
    /// Consistency mode, duration, evaluation, checkpoints, stop target.
    public var training: TrainingSpec
    /// How many workers and parameter-server shards the job uses.
    public var cluster: ClusterSpec

    /// Creates a job spec; unspecified parts take their documented defaults.
    public init(
        name: String, model: ModelSpec, data: DataSpec, optimizer: OptimizerSpec = OptimizerSpec(),
        training: TrainingSpec = TrainingSpec(), cluster: ClusterSpec = ClusterSpec()
    ) {
        self.name = name
        self.model = model
        self.data = data
        self.optimizer = optimizer
        self.training = training
        self.cluster = cluster
    }
}

/// Worker and shard counts of a job.
public struct ClusterSpec: Sendable, Hashable, Codable {
    /// Number of worker tasks (default: replicas_to_aggregate + backup_workers in sync mode, 1 in async mode).
    public var workers: Int
    /// Number of parameter-server shards; `nil` uses every alive ps node (at least one).
    public var psShards: Int?

    /// Creates a cluster section.
    public init(workers: Int = 1, psShards: Int? = nil) {
        self.workers = workers
        self.psShards = psShards
    }

    enum CodingKeys: String, CodingKey {
        case workers
        case psShards = "ps_shards"
    }
}
