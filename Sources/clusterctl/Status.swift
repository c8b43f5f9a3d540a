import ArgumentParser
import ClusterPresentation
import ClusterRuntime

/// `clusterctl status`.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cluster health, nodes and job counts; each psd's own grpc.health.v1 answer beside the coordinator's view.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client in
            let status = try await client.status()
            let probes = await HealthProbe.checkAll(status.nodes, security: try global.security())
            global.show(ClusterSummary(status, probes: probes), wide: { StatusPresentation.page(status, probes: probes, wide: true) }) {
                StatusPresentation.page(status, probes: probes)
            }
        }
    }
}
