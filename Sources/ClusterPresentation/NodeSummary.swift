import ClusterAPI
import ClusterRuntime

/// A node as `nodes --json` and `status --json` print it.
public struct NodeSummary: Codable, Equatable, Sendable {
    /// The coordinator's id of the node.
    public var id: UInt64
    /// Node name.
    public var name: String
    /// "ps" or "worker".
    public var role: String
    /// "alive", "suspect" or "dead".
    public var state: String
    /// Control address ("" for workers).
    public var address: String
    /// Data-plane address ("" = same as address).
    public var dataAddress: String
    /// Compute device of a worker.
    public var device: String
    /// Threads it uses.
    public var threads: Int32
    /// Its Tessera version.
    public var version: String
    /// Model types a worker has registered.
    public var models: [String]
    /// Age of its last heartbeat.
    @Finite public var secondsSinceHeartbeat: Double
    /// The job it works on ("" for none).
    public var currentJob: String
    /// Memory it offers (0 = not advertised).
    public var memoryLimitBytes: Int64
    /// Memory its jobs reserve.
    public var memoryReservedBytes: Int64
    /// Its health in a word or a sentence (`status` only; absent from `nodes`).
    public var health: String?
    /// A serving worker's prediction address; absent for nodes that do not serve.
    public var servingAddress: String?
    /// The served jobs it holds a replica of; absent for nodes that do not serve.
    public var serving: [String]?
    /// A serving worker's gRPC prediction address; absent when it serves no gRPC.
    public var servingGRPCAddress: String?

    enum CodingKeys: String, CodingKey {
        case id, name, role, state, address, device, threads, version, models, health, serving
        case servingAddress = "serving_address"
        case servingGRPCAddress = "serving_grpc_address"
        case dataAddress = "data_address"
        case secondsSinceHeartbeat = "seconds_since_heartbeat"
        case currentJob = "current_job"
        case memoryLimitBytes = "memory_limit_bytes"
        case memoryReservedBytes = "memory_reserved_bytes"
    }

    /// The summary of a node, with `health` when the status page gives one.
    public init(_ node: Tessera_V1_Node, health: String? = nil) {
        id = node.id
        name = node.info.name
        role = JobPresentation.roleName(node.info.role)
        state = JobPresentation.nodeStateName(node.state)
        address = node.info.address
        dataAddress = node.info.dataAddress
        device = node.info.device
        threads = node.info.threads
        version = node.info.version
        models = node.info.models
        secondsSinceHeartbeat = node.secondsSinceHeartbeat
        currentJob = node.currentJob
        memoryLimitBytes = node.info.memoryLimitBytes
        memoryReservedBytes = node.memoryReservedBytes
        self.health = health
        servingAddress = node.info.servingAddress.isEmpty ? nil : node.info.servingAddress
        serving = node.info.servingAddress.isEmpty ? nil : node.serving
        servingGRPCAddress = node.info.servingGrpcAddress.isEmpty ? nil : node.info.servingGrpcAddress
    }
}
