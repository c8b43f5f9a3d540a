import ArgumentParser
import ClusterPresentation

extension OutputFormat: ExpressibleByArgument {}

/// `-o table|wide|json|yaml|name` and `--json` (the same as `-o json`).
struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o", allowingJoined: true), .long], help: "Output format: table, wide, json, yaml or name (default: table).")
    var output: OutputFormat?

    @Flag(name: .long, help: "Print JSON instead of a table (the same as -o json).")
    var json = false

    func validate() throws {
        if json, let output, output != .json {
            throw ValidationError("--json and -o \(output.rawValue) ask for two formats; give one")
        }
    }

    /// The format asked for.
    var format: OutputFormat { json ? .json : output ?? .table }
}
