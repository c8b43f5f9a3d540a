import ArgumentParser
import ClusterRuntime
import Foundation

/// Options every clusterctl command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Coordinator address HOST:PORT (default: $TESSERA_COORDINATOR, else 127.0.0.1:7070).")
    var coordinator: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Option(name: .long, help: "Deadline of each call in seconds.")
    var timeout: Double = 10

    /// The address to dial, resolved by precedence flag > environment > default.
    func address() throws -> HostPort {
        let text = coordinator ?? ProcessInfo.processInfo.environment["TESSERA_COORDINATOR"] ?? "127.0.0.1:7070"
        return try HostPort(parsing: text)
    }

    /// A connected client.
    func client() throws -> CoordinatorClient {
        try CoordinatorClient(address: try address(), timeout: .milliseconds(Int64(timeout * 1000)))
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
