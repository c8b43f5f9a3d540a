import ArgumentParser
import ClusterAPI
import ClusterPresentation
import ClusterRuntime
import Foundation

extension GlobalOptions {
    /// Connects to the coordinator (address, token and TLS from the flags and environment), runs `body` with the
    /// client and closes it; a failure becomes one sentence on stderr and exit code 1.
    func withClient(_ body: (CoordinatorClient) async throws -> Void) async throws {
        try await runReporting {
            let client = try client()
            defer { client.close() }
            try await body(client)
        }
    }

    /// Prints `summary` as JSON with `--json`, else the text.
    func show(_ summary: some Encodable, text: () -> String) {
        print(json ? JSONText.render(summary) : text())
    }
}

/// Runs a command body and turns failures into one sentence on stderr and exit code 1.
func runReporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as RuntimeFailure {
        FileHandle.standardError.write(Data("clusterctl: \(failure.message)\n".utf8))
        throw ExitCode(1)
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("clusterctl: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

/// Ends a followed job's command with its outcome: exit code 0 when it SUCCEEDED, 2 when CANCELLED, 1 otherwise.
func throwUnlessSucceeded(_ job: Tessera_V1_Job) throws {
    switch job.state {
    case .succeeded: return
    case .cancelled: throw ExitCode(2)
    default: throw ExitCode(1)
    }
}
