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
    /// Start from an exported model's values (a safetensors file readable at this path on the psd hosts), not the initializers.
    public var initFrom: String?
    /// Serve the model while it trains (and after it succeeds) from replicas on workers; nil: not served.
    public var serving: ServingSpec?

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

    enum CodingKeys: String, CodingKey {
        case name, model, data, optimizer, training, cluster, serving
        case initFrom = "init_from"
    }
}

/// Worker and shard counts of a job.
public struct ClusterSpec: Sendable, Hashable, Codable {
    /// Number of worker tasks (default: replicas_to_aggregate + backup_workers in sync mode, 1 in async mode).
    public var workers: Int
    /// Number of parameter-server shards; `nil` uses every alive ps node (at least one).
    public var psShards: Int?
    /// Which transport carries the job's data plane (default: native).
    public var transport: DataTransport

    /// Creates a cluster section.
    public init(workers: Int = 1, psShards: Int? = nil, transport: DataTransport = .native) {
        self.workers = workers
        self.psShards = psShards
        self.transport = transport
    }

    enum CodingKeys: String, CodingKey {
        case workers
        case psShards = "ps_shards"
        case transport
    }

    /// Decodes a cluster section; specs stored before `transport` existed get the default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workers = try c.decode(Int.self, forKey: .workers)
        psShards = try c.decodeIfPresent(Int.self, forKey: .psShards)
        transport = try c.decodeIfPresent(DataTransport.self, forKey: .transport) ?? .native
    }
}

/// The data-plane transport of a job (`cluster.transport`).
public enum DataTransport: String, Sendable, Hashable, Codable, CaseIterable {
    /// TensorWire frames over a dedicated TCP connection per worker–shard pair (fastest; default).
    case native
    /// TensorWire frames as gRPC messages (fallback; any gRPC client can speak it).
    case grpc
}
