import Foundation

/// Everything `psd` can be told, as read from flags, `TESSERA_*` variables and `--config FILE`
/// (keys documented in docs/config.md); `makeConfig()` turns it into a `ParameterServerConfig`.
public struct ParameterServerSettings: DaemonSettings, Equatable {
    /// Control-plane (and gRPC data-plane) address.
    public var listen = "127.0.0.1:7070"
    /// Native data-plane address (default: the listen host, a free port).
    public var dataListen: String?
    /// State directory (required).
    public var dataDir: String?
    /// Run the coordinator in this process.
    public var coordinatorSelf = false
    /// Coordinator to join.
    public var coordinator: String?
    /// Address other nodes dial.
    public var advertise: String?
    /// Node name.
    public var name: String?
    /// File the bound address is written to.
    public var portFile: String?
    /// Seconds without heartbeat after which a node is dead (coordinator only).
    public var heartbeatTimeout = 10.0
    /// Log level.
    public var logLevel = "info"
    /// File holding the shared bearer token.
    public var tokenFile: String?
    /// PEM certificate chain for gRPC TLS.
    public var tlsCert: String?
    /// PEM private key for gRPC TLS.
    public var tlsKey: String?
    /// PEM CA bundle: verify peers against it (mutual TLS).
    public var tlsCa: String?
    /// Prometheus endpoint address.
    public var metricsListen: String?
    /// Most data-plane request bytes the shard holds at once before answering RESOURCE_EXHAUSTED (default: ¼ of memory, at most 1 GiB).
    public var maxInflightBytes: Int?
    /// Bytes of job state (variables × optimizer slots, embedding rows) this psd accepts (default: ½ of memory).
    public var memoryLimit: Int?
    /// Directory exported models for `init_from` may be read from, besides the data dir.
    public var importDir: String?
    /// Open connections per listener.
    public var maxConnections = 1024
    /// Seconds a connection may stay silent before it is closed.
    public var idleTimeout = 600.0
    /// Data-plane pulls waiting at once for a future version.
    public var maxPendingPulls = 4096
    /// Largest data-plane answer in bytes.
    public var maxAnswerBytes = 1 << 30
    /// Open Health.Watch streams.
    public var maxWatchStreams = 64
    /// Coordinator: ended jobs kept (older ones are deleted; 0 keeps all).
    public var jobRetention = 1000

    /// The YAML keys.
    public enum Keys: String, CodingKey, CaseIterable {
        case listen, dataListen = "data_listen", dataDir = "data_dir", coordinatorSelf = "coordinator_self"
        case coordinator, advertise, name, portFile = "port_file", heartbeatTimeout = "heartbeat_timeout"
        case logLevel = "log_level", tokenFile = "token_file", tlsCert = "tls_cert", tlsKey = "tls_key", tlsCa = "tls_ca"
        case metricsListen = "metrics_listen", maxInflightBytes = "max_inflight_bytes"
        case memoryLimit = "memory_limit", importDir = "import_dir", maxConnections = "max_connections"
        case idleTimeout = "idle_timeout", maxPendingPulls = "max_pending_pulls", maxAnswerBytes = "max_answer_bytes"
        case maxWatchStreams = "max_watch_streams", jobRetention = "job_retention"
    }
    typealias CodingKeys = Keys

    /// The defaults.
    public init() {}

    /// Whether `coordinator` names this psd itself: its `advertise` address, or its `listen` port on its listen host
    /// (a loopback name for a loopback or wildcard listener).
    package static func isOwnAddress(_ coordinator: String, listen: String, advertise: String?) -> Bool {
        guard let target = try? HostPort(parsing: coordinator), let own = try? HostPort(parsing: listen) else { return false }
        if let advertise, let advertised = try? HostPort(parsing: advertise), advertised == target { return true }
        guard target.port == own.port, own.port != 0 else { return false }
        let loopback: Set = ["127.0.0.1", "localhost", "::1"]
        let wildcard: Set = ["0.0.0.0", "::", ""]
        return target.host == own.host || ((wildcard.contains(own.host) || loopback.contains(own.host)) && loopback.contains(target.host))
    }

    /// `coordinator` and `coordinator_self` exclude each other.
    public static let exclusiveKeys = [["coordinator", "coordinator_self"]]

    /// Checks every value.
    public func validate() throws(ConfigError) {
        try Check.address(listen, key: "listen")
        try Check.address(dataListen, key: "data_listen")
        try Check.address(advertise, key: "advertise")
        try Check.address(coordinator, key: "coordinator")
        try Check.address(metricsListen, key: "metrics_listen")
        guard let dataDir, !dataDir.isEmpty else {
            throw ConfigError(key: "data_dir", "is required: the directory for this node's state")
        }
        if coordinatorSelf == (coordinator != nil) {
            throw ConfigError(
                key: coordinatorSelf ? "coordinator" : "coordinator_self",
                "give exactly one of coordinator_self: true (--coordinator-self) or coordinator: HOST:PORT")
        }
        if let coordinator, Self.isOwnAddress(coordinator, listen: listen, advertise: advertise) {
            // E.g. TESSERA_COORDINATOR exported on the coordinator's host over a file saying coordinator_self: true.
            throw ConfigError(
                key: "coordinator",
                "'\(coordinator)' is this psd's own address (listen \(listen)): a psd does not join itself; for the coordinator "
                    + "psd give coordinator_self: true (--coordinator-self) and unset TESSERA_COORDINATOR")
        }
        guard heartbeatTimeout > 0, heartbeatTimeout.isFinite else {
            throw ConfigError(key: "heartbeat_timeout", "must be a positive number of seconds, got \(heartbeatTimeout)")
        }
        try Check.logLevel(logLevel)
        try Check.tls(cert: tlsCert, key: tlsKey, ca: tlsCa)
        if let name, name.isEmpty { throw ConfigError(key: "name", "must not be empty") }
        if let maxInflightBytes, maxInflightBytes < 1 << 20 {
            throw ConfigError(key: "max_inflight_bytes", "must be at least 1048576 (1 MiB), got \(maxInflightBytes)")
        }
        if let memoryLimit, memoryLimit < 1 << 20 {
            throw ConfigError(key: "memory_limit", "must be at least 1048576 (1 MiB), got \(memoryLimit)")
        }
        if let importDir, importDir.isEmpty { throw ConfigError(key: "import_dir", "must not be empty") }
        guard (1...1_000_000).contains(maxConnections) else {
            throw ConfigError(key: "max_connections", "must be between 1 and 1000000, got \(maxConnections)")
        }
        guard idleTimeout.isFinite, idleTimeout >= 1, idleTimeout <= 86_400 else {
            throw ConfigError(key: "idle_timeout", "must be between 1 and 86400 seconds, got \(idleTimeout)")
        }
        guard (1...1_000_000).contains(maxPendingPulls) else {
            throw ConfigError(key: "max_pending_pulls", "must be between 1 and 1000000, got \(maxPendingPulls)")
        }
        // At least 4 MiB: a worker refused for the answer's size falls back to 2 MiB row chunks, which must fit. At most
        // 2 GiB: no client reads a larger message (native 2 GiB, gRPC 1 GiB), so a larger answer would fail in transit
        // instead of sending the worker to chunks.
        guard maxAnswerBytes >= 4 << 20, maxAnswerBytes <= 2 << 30 else {
            throw ConfigError(key: "max_answer_bytes", "must be between 4194304 (4 MiB) and 2147483648 (2 GiB, the largest message a worker reads on the native transport; gRPC reads 1 GiB), got \(maxAnswerBytes)")
        }
        guard (1...100_000).contains(maxWatchStreams) else {
            throw ConfigError(key: "max_watch_streams", "must be between 1 and 100000, got \(maxWatchStreams)")
        }
        guard jobRetention >= 0 else { throw ConfigError(key: "job_retention", "must be ≥ 0 (0 keeps every job), got \(jobRetention)") }
    }

    /// The daemon configuration (reads the token file).
    public func makeConfig() throws -> ParameterServerConfig {
        var config = ParameterServerConfig(
            listen: try HostPort(parsing: listen), dataDir: dataDir ?? ".",
            coordinator: try coordinator.map { try HostPort(parsing: $0) },
            advertise: try advertise.map { try HostPort(parsing: $0) }, name: name,
            heartbeatTimeout: .milliseconds(Int64(heartbeatTimeout * 1000)), portFile: portFile,
            token: try tokenFile.map { try RPCSecurity.readToken(file: $0) },
            tls: Check.tlsFiles(cert: tlsCert, key: tlsKey, ca: tlsCa),
            metricsListen: try metricsListen.map { try HostPort(parsing: $0) })
        config.dataListen = try dataListen.map { try HostPort(parsing: $0) }
        config.maxInflightBytes = maxInflightBytes
        config.importDir = importDir
        config.limits = ServerLimits(
            memoryLimitBytes: memoryLimit ?? ServerLimits.defaultMemoryLimitBytes, maxConnections: maxConnections,
            idleTimeout: .milliseconds(Int64(idleTimeout * 1000)), maxPendingPulls: maxPendingPulls, maxAnswerBytes: maxAnswerBytes,
            maxWatchStreams: maxWatchStreams, jobRetention: jobRetention)
        return config
    }
}

/// Shared value checks of the settings structs.
enum Check {
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    static func address(_ text: String?, key: String) throws(ConfigError) {
        guard let text else { return }
        do {
            _ = try HostPort(parsing: text)
        } catch {
            throw ConfigError(key: key, "'\(text)' is not HOST:PORT")
        }
    }

    static func logLevel(_ level: String) throws(ConfigError) {
        guard logLevels.contains(level) else {
            throw ConfigError(key: "log_level", "'\(level)' is not one of \(logLevels.joined(separator: ", "))")
        }
    }

    static func tls(cert: String?, key: String?, ca: String?) throws(ConfigError) {
        if (cert == nil) != (key == nil) {
            throw ConfigError(key: cert == nil ? "tls_cert" : "tls_key", "tls_cert and tls_key go together: give both or neither")
        }
        if ca != nil && cert == nil {
            throw ConfigError(key: "tls_ca", "needs tls_cert and tls_key too (mutual TLS presents this node's certificate)")
        }
        for (name, path) in [("tls_cert", cert), ("tls_key", key), ("tls_ca", ca)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                throw ConfigError(key: name, "cannot read \(path)")
            }
        }
    }

    static func tlsFiles(cert: String?, key: String?, ca: String?) -> TLSFiles? {
        guard let cert, let key else { return nil }
        return TLSFiles(certificate: cert, key: key, ca: ca)
    }
}
