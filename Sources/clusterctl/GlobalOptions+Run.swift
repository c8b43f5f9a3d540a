import ArgumentParser
import ClusterAPI
import ClusterPresentation
import ClusterRuntime
import Foundation

extension GlobalOptions {
    /// Connects to the coordinator (address, token and TLS from the flags, environment and context), runs `body`
    /// with the client and closes it; a failure becomes one sentence on stderr and exit code 1.
    func withClient(_ body: (CoordinatorClient) async throws -> Void) async throws {
        try await runReporting {
            let client = try client()
            defer { client.close() }
            try await body(client)
        }
    }

    /// Prints `summary` in the chosen format: `text` for table (and wide without `wide`), the summary as JSON or
    /// YAML, its names for `-o name` (exit 64 naming the formats when it has none).
    func show(_ summary: some Encodable, wide: (() -> String)? = nil, text: () -> String) {
        output.show(summary, wide: wide, text: text)
    }
}

extension OutputOptions {
    /// Prints `summary` in the chosen format (see `GlobalOptions.show`).
    func show(_ summary: some Encodable, wide: (() -> String)? = nil, text: () -> String) {
        guard let rendered = OutputText.render(summary, as: format, wide: wide, table: text) else {
            FileHandle.standardError.write(Data("clusterctl: -o name: this command prints no names; use -o table, wide, json or yaml\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        if format == .name && rendered.isEmpty { return }
        print(rendered)
    }
}

/// Runs a command body and turns failures into one sentence on stderr and exit code 1.
func runReporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        reportFailure(error)
        throw ExitCode(1)
    }
}

/// Writes "clusterctl: <sentence>" to stderr.
func reportFailure(_ error: any Error) {
    let message = (error as? RuntimeFailure)?.message ?? "\(error)"
    FileHandle.standardError.write(Data("clusterctl: \(message)\n".utf8))
}

/// Ends a followed job's command with its outcome: exit code 0 when it SUCCEEDED, 2 when CANCELLED, 1 otherwise.
func throwUnlessSucceeded(_ job: Tessera_V1_Job) throws {
    switch job.state {
    case .succeeded: return
    case .cancelled: throw ExitCode(2)
    default: throw ExitCode(1)
    }
}
