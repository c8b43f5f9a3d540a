import ArgumentParser
import ClusterRuntime

/// `clusterctl`: the command line over the coordinator's gRPC API.
@main
struct ClusterCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterctl",
        abstract: "Submit and watch Tessera training jobs.",
        discussion: """
            The coordinator address comes from --coordinator, else the TESSERA_COORDINATOR \
            environment variable, else 127.0.0.1:7070. Every command prints a table, or JSON with --json.
            """,
        version: tesseraVersion,
        subcommands: [Submit.self, Jobs.self, Describe.self, Status.self, Nodes.self, Cancel.self, Pull.self]
    )
}
