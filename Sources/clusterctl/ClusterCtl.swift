import ArgumentParser
import ClusterRuntime

/// `clusterctl`: the command line over the coordinator's gRPC API.
@main
struct ClusterCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterctl",
        abstract: "Submit and watch Tessera training jobs.",
        discussion: """
            The coordinator address comes from --coordinator (before or after the verb), else the \
            TESSERA_COORDINATOR environment variable, else the context of the client config file \
            (--context, else its current_context; see `clusterctl config`), else 127.0.0.1:7070. Every \
            command prints a table, or -o wide|json|yaml|name (--json is -o json). docs/clusterctl.md.
            """,
        version: tesseraVersion,
        subcommands: [Submit.self, Tune.self, Studies.self, Jobs.self, Describe.self, Watch.self, Status.self, Nodes.self, Cancel.self, Delete.self, Checkpoint.self, Pull.self, Export.self, Serve.self, Unserve.self, Predict.self, Wait.self, Validate.self, Schema.self, Config.self, Completion.self]
    )

    /// Parses with global options allowed before the verb, then runs the chosen command.
    static func main() async {
        let arguments = GlobalArguments.hoist(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
