import ArgumentParser
import ClusterRuntime
import Foundation
import Logging

/// `workerd`: the worker agent, as a command any executable can run (`await Workerd.main()`), so a build of
/// workerd with your own models is a `main.swift` that registers them with `ModelRegistry` and then runs it.
public struct Workerd: AsyncParsableCommand {
    /// The command's name, help and version.
    public static let configuration = CommandConfiguration(
        commandName: "workerd",
        abstract: "Tessera worker agent: takes tasks from the coordinator, computes gradients, pushes them to the shards.",
        discussion: """
            Settings come from, highest first: flags > TESSERA_* environment variables > the --config YAML \
            file > defaults. Each flag --some-key is the file key some_key and the variable TESSERA_SOME_KEY \
            (e.g. --data-root, data_root, TESSERA_DATA_ROOT). Every key: docs/config.md.
            """,
        version: tesseraVersion
    )

    @Option(help: "YAML file with settings (keys as in docs/config.md).")
    var config: String?

    @Option(help: "Coordinator address (HOST:PORT; required).")
    var coordinator: String?

    @Option(help: "Directory job-spec data paths are relative to (required).")
    var dataRoot: String?

    @Option(help: "Compute device: cpu (default), cuda or cuda:N (needs the CUDA 13 or 12 runtime and cuBLAS; NVRTC to run whole steps on the GPU).")
    var device: String?

    @Option(help: "Compute threads (OpenBLAS; default 1).")
    var threads: String?

    @Option(help: "Node name (default: worker-HOSTNAME-PID).")
    var name: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error (default info).")
    var logLevel: String?

    @Option(help: "File holding the cluster's bearer token, sent on every RPC.")
    var tokenFile: String?

    @Option(help: "PEM certificate chain for gRPC TLS (with --tls-key).")
    var tlsCert: String?

    @Option(help: "PEM private key for gRPC TLS.")
    var tlsKey: String?

    @Option(help: "PEM CA bundle the servers' certificates must chain to.")
    var tlsCa: String?

    @Option(help: "Serve Prometheus metrics at http://ADDR/metrics (HOST:PORT; default: off).")
    var metricsListen: String?

    @Option(help: "Straggler experiments: make each training step FACTOR times slower (sleep (FACTOR − 1) × its compute time; default 1).")
    var slowdown: String?

    @Option(help: "Simulated compute time slept after each step, drawn per step: constant:MS, normal:MEAN_MS,STDDEV_MS, lognormal:MEDIAN_MS,SIGMA or empirical:PATH (one step time in ms per line); docs/config.md.")
    var stepDelay: String?

    @Option(help: "Seed of the --step-delay draws (0…2^64−1; default: derived from --name, so a named worker draws the same sequence every run).")
    var stepDelaySeed: String?

    @Option(help: "Bytes of one job's decoded data this worker loads at most; a job needing more fails naming both (default ¼ of memory).")
    var maxDataBytes: String?

    @Option(help: "Serve this exported model (clusterctl export … --out FILE) over TensorFlow Serving's REST API instead of joining a cluster (docs/serving.md).")
    var serveModel: String?

    @Option(help: "HOST:PORT to serve predictions at: the replicas the coordinator places on this worker (clusterctl serve), or with --serve-model the file (default there 127.0.0.1:8501).")
    var serveListen: String?

    @Option(help: "HOST:PORT to serve gRPC predictions at (tessera.v1.Prediction, the same models as --serve-listen; needs --serve-listen or --serve-model).")
    var serveGrpcListen: String?

    @Option(help: "HOST:PORT clients reach this worker's prediction server at, registered with the coordinator (default: the bound address; this host's name for 0.0.0.0).")
    var serveAdvertise: String?

    @Option(help: "File holding the bearer token prediction requests must carry (default: the cluster token of --token-file).")
    var serveTokenFile: String?

    @Option(help: "With --serve-model: the name in /v1/models/NAME (default: the job's name).")
    var serveName: String?

    /// The flags given, by settings key.
    var flags: [String: String] {
        var flags: [String: String] = [:]
        let pairs: [(String, String?)] = [
            ("coordinator", coordinator), ("data_root", dataRoot), ("device", device), ("threads", threads),
            ("name", name), ("log_level", logLevel), ("token_file", tokenFile), ("tls_cert", tlsCert),
            ("tls_key", tlsKey), ("tls_ca", tlsCa), ("metrics_listen", metricsListen), ("slowdown", slowdown), ("max_data_bytes", maxDataBytes),
            ("step_delay", stepDelay), ("step_delay_seed", stepDelaySeed),
            ("serve_listen", serveListen), ("serve_advertise", serveAdvertise), ("serve_token_file", serveTokenFile),
            ("serve_grpc_listen", serveGrpcListen),
        ]
        for (key, value) in pairs { if let value { flags[key] = value } }
        return flags
    }

    /// Creates the command with no flags set (ArgumentParser fills them in).
    public init() {}

    /// Parses `arguments` (default: the process's) and runs workerd, exiting with its status on failure.
    ///
    /// Call this rather than `main()` from a `main.swift`: there top-level code picks ArgumentParser's synchronous
    /// `main()`, which refuses to run an async command.
    public static func runFromCommandLine(_ arguments: [String]? = nil) async {
        do {
            var command = try parseAsRoot(arguments)
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// Loads the settings, checks the device and runs the worker until SIGTERM/SIGINT.
    public func run() async throws {
        if let serveModel { return try await serve(serveModel) }
        let settings: WorkerSettings
        var deviceDetails: String?
        do {
            settings = try LayeredConfig.load(
                WorkerSettings.self, file: config, environment: ProcessInfo.processInfo.environment, flags: flags)
            // A CUDA device (from a flag, TESSERA_DEVICE or the file) must open now: fail at start when CUDA is absent.
            if settings.device.hasPrefix("cuda") { deviceDetails = try WorkerDevice.check(settings.device) }
        } catch {
            FileHandle.standardError.write(Data("workerd: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let logger = makeLogger(label: "workerd", level: settings.logLevel)
        if let deviceDetails { logger.info("compute device: \(deviceDetails)") }
        do {
            let config = try settings.makeConfig()
            if config.metricsListen != nil { TesseraMetrics.bootstrap() }
            try await WorkerDaemon(config: config, logger: logger).run()
        } catch let failure as RuntimeFailure {
            logger.critical("\(failure.message)")
            throw ExitCode(2)
        }
    }

    /// `--serve-model FILE`: serves the export until SIGTERM/SIGINT (exit 2 naming the problem when it cannot).
    private func serve(_ file: String) async throws {
        let logger = makeLogger(label: "workerd", level: logLevel ?? "info")
        do {
            let listen = try HostPort(parsing: serveListen ?? "127.0.0.1:8501")
            let grpcListen = try serveGrpcListen.map { try HostPort(parsing: $0) }
            let token = try (serveTokenFile ?? tokenFile).map { try RPCSecurity.readToken(file: $0) }
            let metrics = try metricsListen.map { try HostPort(parsing: $0) }
            if metrics != nil { TesseraMetrics.bootstrap() }
            guard (tlsCert == nil) == (tlsKey == nil) else { throw RuntimeFailure(.invalidArgument, "--tls-cert and --tls-key go together") }
            let tls = tlsCert.flatMap { cert in tlsKey.map { TLSFiles(certificate: cert, key: $0, ca: tlsCa) } }
            try await ExportServer.run(
                path: file, listen: listen, name: serveName, token: token, threads: min(max(Int(threads ?? "1") ?? 1, 1), 64), metricsListen: metrics, logger: logger,
                tls: tls, grpcListen: grpcListen)
        } catch let failure as RuntimeFailure {
            logger.critical("\(failure.message)")
            throw ExitCode(2)
        }
    }
}
