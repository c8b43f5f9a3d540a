import ClusterAPI
import ClusterRuntime

/// A served job's replicas as `describe --json` prints them (key `serving`, present only when the job is served).
public struct ServingSummary: Codable, Equatable, Sendable {
    /// Replicas wanted.
    public var replicas: Int32
    /// Least milliseconds between two parameter pulls.
    public var refreshMs: Int32
    /// The replicas placed.
    public var placed: [ReplicaSummary]

    enum CodingKeys: String, CodingKey {
        case replicas, placed
        case refreshMs = "refresh_ms"
    }

    /// The serving part of a job; nil when it is not served.
    public init?(_ job: Tessera_V1_Job) {
        guard job.servingReplicas > 0 else { return nil }
        replicas = job.servingReplicas
        refreshMs = job.servingRefreshMs
        placed = job.serving.map(ReplicaSummary.init)
    }
}

/// One serving replica.
public struct ReplicaSummary: Codable, Equatable, Sendable {
    /// The worker running it.
    public var node: String
    /// Where TF Serving REST clients send requests ("" while its worker has no prediction address).
    public var url: String
    /// Where gRPC `tessera.v1.Prediction` clients connect ("" when its worker serves no gRPC).
    public var grpcAddress: String
    /// Job step of the parameters answering.
    public var version: UInt64
    /// Seconds since they were pulled.
    @Finite public var ageSeconds: Double
    /// starting, serving or failing.
    public var state: String
    /// Why it is failing ("" otherwise).
    public var problem: String

    enum CodingKeys: String, CodingKey {
        case node, url, version, state, problem
        case ageSeconds = "age_seconds"
        case grpcAddress = "grpc_address"
    }

    /// The summary of one replica.
    public init(_ replica: Tessera_V1_ServingReplica) {
        node = replica.node
        url = replica.url
        grpcAddress = replica.grpcAddress
        version = replica.version
        ageSeconds = replica.ageSeconds
        state = replica.state
        problem = replica.problem
    }
}
