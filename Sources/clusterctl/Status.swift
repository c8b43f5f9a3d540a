import ArgumentParser
import ClusterRuntime

/// `clusterctl status`.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cluster health, nodes and job counts.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let client = try global.client()
            defer { client.close() }
            let s = try await client.status()
            if global.json {
                print(JobPresentation.json(JobPresentation.statusObject(s)))
                return
            }
            let ps = s.nodes.filter { $0.info.role == .ps }
            let workers = s.nodes.filter { $0.info.role == .worker }
            func alive(_ nodes: [some Any]) -> Int { nodes.count }
            print("coordinator  \(s.coordinatorName) at \(s.coordinatorAddress)  (tessera \(s.version), up \(Int(s.uptimeSeconds))s)")
            print("health       \(s.health)")
            print("ps shards    \(ps.filter { $0.state == .alive }.count) alive of \(ps.count)")
            print("workers      \(workers.filter { $0.state == .alive }.count) alive of \(workers.count)")
            print("jobs         \(s.jobsRunning) running, \(s.jobsPending) pending, \(s.jobsSucceeded) succeeded, \(s.jobsFailed) failed, \(s.jobsCancelled) cancelled")
        }
    }
}
