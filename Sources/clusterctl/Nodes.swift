import ArgumentParser
import ClusterRuntime

/// `clusterctl nodes`.
struct Nodes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List registered psd and workerd nodes with their liveness.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let client = try global.client()
            defer { client.close() }
            let nodes = try await client.status().nodes
            if global.json {
                print(JobPresentation.json(nodes.map(JobPresentation.nodeObject)))
            } else {
                print(JobPresentation.nodesTable(nodes).render())
            }
        }
    }
}
