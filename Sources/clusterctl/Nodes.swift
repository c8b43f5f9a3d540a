import ArgumentParser
import ClusterPresentation

/// `clusterctl nodes`.
struct Nodes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List registered psd and workerd nodes with their liveness.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client in
            let nodes = try await client.status().nodes
            global.show(nodes.map { NodeSummary($0) }, wide: { JobPresentation.nodesWideTable(nodes).render() }) {
                JobPresentation.nodesTable(nodes).render()
            }
        }
    }
}
