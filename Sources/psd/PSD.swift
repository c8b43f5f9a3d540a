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
        discussion: """
            Exactly one psd per cluster runs with --coordinator-self; the others join it with --coordinator.

            Settings come from, highest first: flags > TESSERA_* environment variables > the --config YAML \
            file > defaults. Each flag --some-key is the file key some_key and the variable TESSERA_SOME_KEY \
            (e.g. --data-dir, data_dir, TESSERA_DATA_DIR). Every key: docs/config.md.
            """,
        version: tesseraVersion
    )

    @Option(help: "YAML file with settings (keys as in docs/config.md).")
    var config: String?

    @Option(help: "Address to listen on (HOST:PORT; port 0 picks a free one; default 127.0.0.1:7070).")
    var listen: String?

    @Option(help: "Address of the native data-plane listener (HOST:PORT; default: the --listen host, a free port).")
    var dataListen: String?

    @Option(help: "Directory for this node's state (created if missing; required).")
    var dataDir: String?

    @Flag(inversion: .prefixedNo, help: "Also run the coordinator in this process.")
    var coordinatorSelf: Bool?

    @Option(help: "Coordinator to join (HOST:PORT).")
    var coordinator: String?

    @Option(help: "Address other nodes should dial, when it differs from --listen.")
    var advertise: String?

    @Option(help: "Node name (default: ps-HOST-PORT).")
    var name: String?

    @Option(help: "Write the bound HOST:PORT to this file once listening.")
    var portFile: String?

    @Option(help: "Heartbeat timeout in seconds after which a node is dead (coordinator only; default 10).")
    var heartbeatTimeout: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error (default info).")
    var logLevel: String?

    @Option(help: "File holding the cluster's bearer token; every RPC must then carry it.")
    var tokenFile: String?

    @Option(help: "PEM certificate chain for gRPC TLS (with --tls-key).")
    var tlsCert: String?

    @Option(help: "PEM private key for gRPC TLS.")
    var tlsKey: String?

    @Option(help: "PEM CA bundle: clients and servers must present certificates it signed (mutual TLS).")
    var tlsCa: String?

    @Option(help: "Serve Prometheus metrics at http://ADDR/metrics (HOST:PORT; default: off).")
    var metricsListen: String?

    @Option(help: "Most data-plane request bytes the shard holds at once before answering RESOURCE_EXHAUSTED (in bytes, ≥ 1048576; default ¼ of memory, at most 1 GiB).")
    var maxInflightBytes: String?

    @Option(help: "Bytes of job state (variables × optimizer slots, embedding rows) this psd accepts; submits that do not fit are refused (default ½ of memory).")
    var memoryLimit: String?

    @Option(help: "Directory init_from models may be read from, besides --data-dir (default: none).")
    var importDir: String?

    @Option(help: "Open connections per listener before new ones are closed (default 1024).")
    var maxConnections: String?

    @Option(help: "Seconds a connection may stay silent before it is closed (default 600).")
    var idleTimeout: String?

    @Option(help: "Data-plane pulls that may wait at once for a future version (default 4096).")
    var maxPendingPulls: String?

    @Option(help: "Largest data-plane answer in bytes (default 1073741824).")
    var maxAnswerBytes: String?

    @Option(help: "Open Health.Watch streams (they need no token; default 64).")
    var maxWatchStreams: String?

    @Option(help: "Coordinator: ended jobs kept in the store; older ones are deleted (0 keeps all; default 1000).")
    var jobRetention: String?

    /// The flags given, by settings key.
    var flags: [String: String] {
        var flags: [String: String] = [:]
        let pairs: [(String, String?)] = [
            ("listen", listen), ("data_listen", dataListen), ("data_dir", dataDir),
            ("coordinator_self", coordinatorSelf.map { String($0) }), ("coordinator", coordinator),
            ("advertise", advertise), ("name", name), ("port_file", portFile), ("heartbeat_timeout", heartbeatTimeout),
            ("log_level", logLevel), ("token_file", tokenFile), ("tls_cert", tlsCert), ("tls_key", tlsKey),
            ("tls_ca", tlsCa), ("metrics_listen", metricsListen), ("max_inflight_bytes", maxInflightBytes),
            ("memory_limit", memoryLimit), ("import_dir", importDir), ("max_connections", maxConnections),
            ("idle_timeout", idleTimeout), ("max_pending_pulls", maxPendingPulls), ("max_answer_bytes", maxAnswerBytes),
            ("max_watch_streams", maxWatchStreams), ("job_retention", jobRetention),
        ]
        for (key, value) in pairs { if let value { flags[key] = value } }
        return flags
    }

    func run() async throws {
        let settings: ParameterServerSettings
        do {
            settings = try LayeredConfig.load(
                ParameterServerSettings.self, file: config, environment: ProcessInfo.processInfo.environment, flags: flags)
        } catch {
            FileHandle.standardError.write(Data("psd: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let logger = makeLogger(label: "psd", level: settings.logLevel)
        do {
            let config = try settings.makeConfig()
            if config.metricsListen != nil { TesseraMetrics.bootstrap() }
            try await ParameterServerDaemon(config: config, logger: logger).run()
        } catch let failure as RuntimeFailure {
            logger.critical("\(failure.message)")
            throw ExitCode(2)
        }
    }
}
