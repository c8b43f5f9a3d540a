import ArgumentParser
import ClusterRuntime
import Foundation
import Logging

/// `psd`: the parameter server daemon (and, with --coordinator-self, the coordinator).
@main
struct PSD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psd",
        abstract: "Tessera parameter server daemon: holds shards of model variables and applies updates.",
        discussion: "Exactly one psd per cluster runs with --coordinator-self; the others join it with --coordinator.",
        version: tesseraVersion
    )

    @Option(help: "Address to listen on (HOST:PORT; port 0 picks a free one).")
    var listen = "127.0.0.1:7070"

    @Option(help: "Directory for this node's state (created if missing).")
    var dataDir: String

    @Flag(help: "Also run the coordinator in this process.")
    var coordinatorSelf = false

    @Option(help: "Coordinator to join (HOST:PORT).")
    var coordinator: String?

    @Option(help: "Address other nodes should dial, when it differs from --listen.")
    var advertise: String?

    @Option(help: "Node name (default: ps-HOST-PORT).")
    var name: String?

    @Option(help: "Write the bound HOST:PORT to this file once listening.")
    var portFile: String?

    @Option(help: "Heartbeat timeout in seconds after which a node is dead (coordinator only).")
    var heartbeatTimeout: Double = 10

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    func validate() throws {
        if coordinatorSelf == (coordinator != nil) {
            throw ValidationError("give exactly one of --coordinator-self or --coordinator HOST:PORT")
        }
    }

    func run() async throws {
        let logger = makeLogger(label: "psd", level: logLevel)
        do {
            let config = ParameterServerConfig(
                listen: try HostPort(parsing: listen), dataDir: dataDir,
                coordinator: try coordinator.map { try HostPort(parsing: $0) },
                advertise: try advertise.map { try HostPort(parsing: $0) }, name: name,
                heartbeatTimeout: .milliseconds(Int64(heartbeatTimeout * 1000)), portFile: portFile)
            try await ParameterServerDaemon(config: config, logger: logger).run()
        } catch let failure as RuntimeFailure {
            logger.critical("\(failure.message)")
            throw ExitCode(2)
        }
    }
}
