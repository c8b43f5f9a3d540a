/// Where clusterctl connects and with which credentials, each value resolved by precedence flag > environment
/// (`TESSERA_COORDINATOR`, `TESSERA_TOKEN_FILE`, `TESSERA_TLS_*`) > the context's value > default, with where it
/// came from (`clusterctl config view` prints both).
public struct ConnectionSettings: Codable, Equatable, Sendable {
    /// One resolved value and its source.
    public struct Value: Codable, Equatable, Sendable {
        /// The value.
        public var value: String
        /// "flag --coordinator", "TESSERA_COORDINATOR", "context prod (FILE)" or "default".
        public var source: String

        /// A value from `source`.
        public init(value: String, source: String) {
            self.value = value
            self.source = source
        }
    }

    /// What the command line gave (nil for an absent flag).
    public struct Flags: Equatable, Sendable {
        /// `--coordinator`.
        public var coordinator: String?
        /// `--token-file`.
        public var tokenFile: String?
        /// `--tls-ca`.
        public var tlsCA: String?
        /// `--tls-cert`.
        public var tlsCert: String?
        /// `--tls-key`.
        public var tlsKey: String?
        /// `--context`.
        public var context: String?

        /// Flags as given.
        public init(coordinator: String? = nil, tokenFile: String? = nil, tlsCA: String? = nil, tlsCert: String? = nil, tlsKey: String? = nil, context: String? = nil) {
            self.coordinator = coordinator
            self.tokenFile = tokenFile
            self.tlsCA = tlsCA
            self.tlsCert = tlsCert
            self.tlsKey = tlsKey
            self.context = context
        }
    }

    /// The address used when nothing names one.
    public static let defaultCoordinator = "127.0.0.1:7070"

    /// The context in use (from `--context`, else the file's `current_context`), nil for none.
    @Nullable public var context: String?
    /// The config file read, nil when there is none.
    @Nullable public var configFile: String?
    /// Coordinator HOST:PORT.
    public var coordinator: Value
    /// Token file, nil for none.
    @Nullable public var tokenFile: Value?
    /// CA bundle, nil for none.
    @Nullable public var tlsCA: Value?
    /// Client certificate, nil for none.
    @Nullable public var tlsCert: Value?
    /// Its key, nil for none.
    @Nullable public var tlsKey: Value?

    enum CodingKeys: String, CodingKey {
        case context, coordinator
        case configFile = "config_file"
        case tokenFile = "token_file"
        case tlsCA = "tls_ca"
        case tlsCert = "tls_cert"
        case tlsKey = "tls_key"
    }

    /// Resolves every value. `config` is the file read (nil when there is none); `configPath` names where it was
    /// looked for, for the error when `--context` is given without a file.
    public static func resolve(
        flags: Flags, environment: [String: String], config: ClientConfig?, configPath: String?
    ) throws(ClientConfigError) -> ConnectionSettings {
        var context: ClientConfig.Context?
        if let name = flags.context {
            guard let config else {
                throw ClientConfigError(
                    file: configPath ?? "$TESSERA_CONFIG", key: "",
                    "--context \(name): there is no client config file (set TESSERA_CONFIG or write ~/.config/tessera/config.yaml)")
            }
            context = try config.context(named: name, key: "--context")
        } else if let config, let name = config.currentContext {
            context = try config.context(named: name, key: "current_context")
        }
        let contextSource = context.map { "context \($0.name) (\(config?.file ?? ""))" } ?? ""
        func pick(_ flag: String?, _ flagName: String, _ variable: String, _ fromContext: String?) -> Value? {
            if let flag { return Value(value: flag, source: "flag \(flagName)") }
            if let text = environment[variable], !text.isEmpty { return Value(value: text, source: variable) }
            if let fromContext { return Value(value: fromContext, source: contextSource) }
            return nil
        }
        return ConnectionSettings(
            context: context?.name, configFile: config?.file,
            coordinator: pick(flags.coordinator, "--coordinator", "TESSERA_COORDINATOR", context?.coordinator)
                ?? Value(value: defaultCoordinator, source: "default"),
            tokenFile: pick(flags.tokenFile, "--token-file", "TESSERA_TOKEN_FILE", context?.tokenFile),
            tlsCA: pick(flags.tlsCA, "--tls-ca", "TESSERA_TLS_CA", context?.tlsCA),
            tlsCert: pick(flags.tlsCert, "--tls-cert", "TESSERA_TLS_CERT", context?.tlsCert),
            tlsKey: pick(flags.tlsKey, "--tls-key", "TESSERA_TLS_KEY", context?.tlsKey))
    }
}

extension ConnectionSettings: NamedOutput {
    /// The context in use, if any.
    public var outputNames: [String] { context.map { [$0] } ?? [] }
}
