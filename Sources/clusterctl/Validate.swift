import ArgumentParser
import ClusterPresentation

/// `clusterctl validate FILE|-`: check a job spec locally.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a job spec with the coordinator's own parser, without contacting it.",
        discussion: """
            Contacts no coordinator (connection options are accepted and ignored). Prints "FILE: valid (name NAME)", or each error as "FILE: key.path: sentence" on stderr with exit code 1. \
            -o json|yaml prints {file, valid, name, errors, resolved} (resolved: the spec with every default filled \
            in). What the spec alone decides is checked (keys, types, bounds, rules); the coordinator also checks \
            the cluster on submit (registered model types, the shards' free memory), and workers the data files.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The job spec file, or - for standard input.", completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    func run() async throws {
        try await runReporting { try checkSpec(file: file, output: global.output) }
    }
}
