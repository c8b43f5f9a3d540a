import ArgumentParser
import ClusterPresentation
import ClusterRuntime
import Foundation

/// Options every clusterctl command takes (`wait` takes the connection and output groups, with its own --timeout).
struct GlobalOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Deadline of each call in seconds.")
    var timeout: Double = 10

    func validate() throws {
        guard timeout.isFinite, timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be > 0 and ≤ 86400 seconds, got \(timeout)") }
    }

    /// The output format (`-o`, or json for `--json`).
    var format: OutputFormat { output.format }

    /// Whether the output is JSON (`--json` or `-o json`).
    var json: Bool { format == .json }

    /// The token and TLS files, by precedence flag > environment > context.
    func security() throws -> RPCSecurity { try connection.security() }

    /// The address to dial, by precedence flag > environment > context > default.
    func address() throws -> HostPort { try connection.address() }

    /// A connected client.
    func client() throws -> CoordinatorClient {
        try connection.client(timeout: .milliseconds(Int64((timeout * 1000).rounded())))
    }
}
