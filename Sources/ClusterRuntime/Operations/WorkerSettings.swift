import Foundation

/// Everything `workerd` can be told, as read from flags, `TESSERA_*` variables and `--config FILE`
/// (keys documented in docs/config.md); `makeConfig()` turns it into a `WorkerConfig`.
public struct WorkerSettings: DaemonSettings, Equatable {
    /// Coordinator to join (required).
    public var coordinator: String?
    /// Directory job-spec data paths are relative to (required).
    public var dataRoot: String?
    /// Compute device.
    public var device = "cpu"
    /// OpenBLAS threads.
    public var threads = 1
    /// Node name (default: worker-HOSTNAME-PID).
    public var name: String?
    /// Log level.
    public var logLevel = "info"
    /// File holding the shared bearer token.
    public var tokenFile: String?
    /// PEM certificate chain for gRPC TLS.
    public var tlsCert: String?
    /// PEM private key for gRPC TLS.
    public var tlsKey: String?
    /// PEM CA bundle the servers' certificates must chain to.
    public var tlsCa: String?
    /// Prometheus endpoint address.
    public var metricsListen: String?
    /// Straggler experiments: each training step takes this many times its compute time (1 = normal speed).
    public var slowdown = 1.0
    /// Simulated compute time per step, as `constant:MS`, `normal:MEAN_MS,STDDEV_MS`, `lognormal:MEDIAN_MS,SIGMA` or `empirical:PATH`.
    public var stepDelay: String?
    /// Seed of the step-delay draws (default: derived from the node name).
    public var stepDelaySeed: UInt64?
    /// Bytes of one job's decoded data (train and test splits) this worker loads at most (default: ¼ of memory).
    public var maxDataBytes: Int?
    /// Where to serve predictions for the replicas the coordinator places on this worker (nil: serve none).
    public var serveListen: String?
    /// The HOST:PORT clients reach the prediction server at (default: the bound address, or this host's name).
    public var serveAdvertise: String?
    /// File holding the bearer token prediction requests must carry (default: the cluster token).
    public var serveTokenFile: String?
    /// Where to serve the gRPC `Prediction` service over the same replicas (nil: none; needs `serveListen`).
    public var serveGrpcListen: String?

    /// The YAML keys.
    public enum Keys: String, CodingKey, CaseIterable {
        case coordinator, dataRoot = "data_root", device, threads, name, logLevel = "log_level"
        case tokenFile = "token_file", tlsCert = "tls_cert", tlsKey = "tls_key", tlsCa = "tls_ca"
        case metricsListen = "metrics_listen", slowdown, maxDataBytes = "max_data_bytes"
        case stepDelay = "step_delay", stepDelaySeed = "step_delay_seed"
        case serveListen = "serve_listen", serveAdvertise = "serve_advertise", serveTokenFile = "serve_token_file"
        case serveGrpcListen = "serve_grpc_listen"
    }
    typealias CodingKeys = Keys

    /// The defaults.
    public init() {}

    /// No exclusive keys.
    public static let exclusiveKeys: [[String]] = []

    /// Checks every value.
    public func validate() throws(ConfigError) {
        guard let coordinator else { throw ConfigError(key: "coordinator", "is required: the coordinator's HOST:PORT") }
        try Check.address(coordinator, key: "coordinator")
        guard let dataRoot, !dataRoot.isEmpty else {
            throw ConfigError(key: "data_root", "is required: the directory job-spec data paths are relative to")
        }
        let isCUDA = device == "cuda" || (device.hasPrefix("cuda:") && Int(device.dropFirst(5)).map { $0 >= 0 } == true)
        guard device == "cpu" || isCUDA else {
            throw ConfigError(key: "device", "'\(device)' is not a device: use cpu, cuda or cuda:N")
        }
        guard (1...256).contains(threads) else { throw ConfigError(key: "threads", "must be between 1 and 256, got \(threads)") }
        try Check.logLevel(logLevel)
        try Check.tls(cert: tlsCert, key: tlsKey, ca: tlsCa)
        try Check.address(metricsListen, key: "metrics_listen")
        try Check.address(serveListen, key: "serve_listen")
        try Check.address(serveAdvertise, key: "serve_advertise")
        try Check.address(serveGrpcListen, key: "serve_grpc_listen")
        if serveListen == nil, serveGrpcListen != nil {
            throw ConfigError(key: "serve_grpc_listen", "needs serve_listen (the worker serves gRPC predictions beside its REST ones)")
        }
        if serveListen == nil, serveAdvertise != nil || serveTokenFile != nil {
            throw ConfigError(key: serveAdvertise != nil ? "serve_advertise" : "serve_token_file", "needs serve_listen (the address this worker serves predictions at)")
        }
        if let name, name.isEmpty { throw ConfigError(key: "name", "must not be empty") }
        guard slowdown.isFinite, slowdown >= 1 else {
            throw ConfigError(key: "slowdown", "must be a finite factor ≥ 1 (1 = normal speed, 3 = three times slower), got \(slowdown)")
        }
        if let stepDelay {
            do { _ = try StepDelay.Distribution(parsing: stepDelay) } catch { throw ConfigError(key: "step_delay", error.message) }
        } else if stepDelaySeed != nil {
            throw ConfigError(key: "step_delay_seed", "needs step_delay (the distribution it seeds)")
        }
        if let maxDataBytes, maxDataBytes < 1 << 20 {
            throw ConfigError(key: "max_data_bytes", "must be at least 1048576 (1 MiB), got \(maxDataBytes)")
        }
    }

    /// The daemon configuration (reads the token file).
    public func makeConfig() throws -> WorkerConfig {
        var config = WorkerConfig(
            coordinator: try HostPort(parsing: coordinator ?? ""), dataRoot: dataRoot ?? ".", device: device, threads: threads,
            name: name ?? "worker-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)",
            token: try tokenFile.map { try RPCSecurity.readToken(file: $0) },
            tls: Check.tlsFiles(cert: tlsCert, key: tlsKey, ca: tlsCa),
            metricsListen: try metricsListen.map { try HostPort(parsing: $0) }, slowdown: slowdown,
            maxDataBytes: maxDataBytes ?? WorkerConfig.defaultMaxDataBytes)
        if let stepDelay {
            let distribution: StepDelay.Distribution
            do { distribution = try StepDelay.Distribution(parsing: stepDelay) } catch {
                throw RuntimeFailure(.invalidArgument, "step_delay: \(error.message)")
            }
            config.stepDelay = StepDelay(distribution, seed: stepDelaySeed ?? StepDelay.seed(forName: config.name))
        }
        config.servingListen = try serveListen.map { try HostPort(parsing: $0) }
        config.servingAdvertise = try serveAdvertise.map { try HostPort(parsing: $0) }
        config.servingToken = try serveTokenFile.map { try RPCSecurity.readToken(file: $0) }
        config.servingGRPCListen = try serveGrpcListen.map { try HostPort(parsing: $0) }
        return config
    }
}
