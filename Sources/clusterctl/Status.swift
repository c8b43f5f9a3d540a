import ArgumentParser
import ClusterRuntime

/// `clusterctl status`.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cluster health, nodes and job counts; each psd's own grpc.health.v1 answer beside the coordinator's view.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let client = try global.client()
            defer { client.close() }
            let s = try await client.status()
            let probes = await HealthProbe.checkAll(s.nodes, security: try global.security())
            if global.json {
                print(JobPresentation.json(StatusPresentation.object(s, probes: probes)))
                return
            }
            let ps = s.nodes.filter { $0.info.role == .ps }
            let workers = s.nodes.filter { $0.info.role == .worker }
            let unhealthy = StatusPresentation.unhealthy(s.nodes, probes: probes)
            print("coordinator  \(s.coordinatorName) at \(s.coordinatorAddress)  (tessera \(s.version), up \(Int(s.uptimeSeconds))s)")
            print("health       \(s.health)\(unhealthy.isEmpty ? "" : "; \(unhealthy.count) node(s) need attention: \(unhealthy.map(\.info.name).joined(separator: ", "))")")
            print("ps shards    \(ps.filter { $0.state == .alive }.count) alive of \(ps.count)")
            print("workers      \(workers.filter { $0.state == .alive }.count) alive of \(workers.count)")
            print("jobs         \(s.jobsRunning) running, \(s.jobsPending) pending, \(s.jobsSucceeded) succeeded, \(s.jobsFailed) failed, \(s.jobsCancelled) cancelled")
            if !s.nodes.isEmpty {
                print("")
                print(StatusPresentation.table(s.nodes, probes: probes).render())
            }
        }
    }
}
