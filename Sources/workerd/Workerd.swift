import ArgumentParser
import ClusterRuntime
import Foundation
import Logging

/// `workerd`: the worker agent.
@main
struct Workerd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workerd",
        abstract: "Tessera worker agent: takes tasks from the coordinator, computes gradients, pushes them to the shards.",
        version: tesseraVersion
    )

    @Option(help: "Coordinator address (HOST:PORT).")
    var coordinator: String

    @Option(help: "Directory job-spec data paths are relative to.")
    var dataRoot: String

    @Option(help: "Compute device: cpu.")
    var device = "cpu"

    @Option(help: "Compute threads (OpenBLAS).")
    var threads = 1

    @Option(help: "Node name (default: worker-HOSTNAME-PID).")
    var name: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    func validate() throws {
        guard device == "cpu" else {
            throw ValidationError("device \(device) is not available in this build: use --device cpu")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        let logger = makeLogger(label: "workerd", level: logLevel)
        do {
            let config = WorkerConfig(
                coordinator: try HostPort(parsing: coordinator), dataRoot: dataRoot, device: device, threads: threads,
                name: name ?? "worker-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)")
            try await WorkerDaemon(config: config, logger: logger).run()
        } catch let failure as RuntimeFailure {
            logger.critical("\(failure.message)")
            throw ExitCode(2)
        }
    }
}
