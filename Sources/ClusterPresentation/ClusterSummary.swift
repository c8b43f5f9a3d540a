import ClusterAPI
import ClusterRuntime

/// The cluster as `status --json` prints it: the coordinator, the overall health, every node with its
/// own health, job counts and how many nodes need attention.
public struct ClusterSummary: Codable, Equatable, Sendable {
    /// The coordinator's name, address, version and uptime.
    public struct Coordinator: Codable, Equatable, Sendable {
        /// Its node name.
        public var name: String
        /// Its control address.
        public var address: String
        /// Its Tessera version.
        public var version: String
        /// Seconds since it started.
        @Finite public var uptimeSeconds: Double

        enum CodingKeys: String, CodingKey {
            case name, address, version
            case uptimeSeconds = "uptime_seconds"
        }
    }

    /// Jobs by state.
    public struct JobCounts: Codable, Equatable, Sendable {
        /// Waiting for nodes.
        public var pending: Int32
        /// Training.
        public var running: Int32
        /// Ended well.
        public var succeeded: Int32
        /// Ended with an error.
        public var failed: Int32
        /// Cancelled by a user.
        public var cancelled: Int32
    }

    /// The coordinator.
    public var coordinator: Coordinator
    /// The coordinator's word on the cluster's health.
    public var health: String
    /// Every node, with its health.
    public var nodes: [NodeSummary]
    /// Jobs by state.
    public var jobs: JobCounts
    /// Nodes that are not alive or whose health service did not answer SERVING.
    public var unhealthyNodes: Int

    enum CodingKeys: String, CodingKey {
        case coordinator, health, nodes, jobs
        case unhealthyNodes = "unhealthy_nodes"
    }

    /// The summary of the coordinator's status answer and each psd's health probe.
    public init(_ s: Tessera_V1_ClusterStatusResponse, probes: [UInt64: HealthProbe.Result]) {
        coordinator = Coordinator(name: s.coordinatorName, address: s.coordinatorAddress, version: s.version, uptimeSeconds: s.uptimeSeconds)
        health = s.health
        nodes = s.nodes.map { NodeSummary($0, health: StatusPresentation.health($0, probe: probes[$0.id])) }
        jobs = JobCounts(pending: s.jobsPending, running: s.jobsRunning, succeeded: s.jobsSucceeded, failed: s.jobsFailed, cancelled: s.jobsCancelled)
        unhealthyNodes = StatusPresentation.unhealthy(s.nodes, probes: probes).count
    }
}
