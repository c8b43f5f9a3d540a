/// clusterctl's client config file (kubeconfig-like): named contexts, each a coordinator with its token and TLS
/// files, and the context used when `--context` names none. Read from `$TESSERA_CONFIG`, else
/// `$XDG_CONFIG_HOME/tessera/config.yaml`, else `~/.config/tessera/config.yaml` (docs/clusterctl.md#contexts).
public struct ClientConfig: Equatable, Sendable {
    /// One named cluster to talk to.
    public struct Context: Codable, Equatable, Sendable {
        /// Its name (`--context NAME`).
        public var name: String
        /// Coordinator HOST:PORT.
        public var coordinator: String?
        /// File holding the cluster's bearer token (absolute: relative paths are resolved against the file's folder).
        public var tokenFile: String?
        /// PEM CA bundle the coordinator's certificate must chain to.
        public var tlsCA: String?
        /// PEM client certificate.
        public var tlsCert: String?
        /// Its PEM key.
        public var tlsKey: String?

        /// A context with only a name.
        public init(name: String) { self.name = name }

        enum CodingKeys: String, CodingKey {
            case name, coordinator
            case tokenFile = "token_file"
            case tlsCA = "tls_ca"
            case tlsCert = "tls_cert"
            case tlsKey = "tls_key"
        }
    }

    /// Largest config file read ("the client config limit").
    public static let maxBytes = 256 << 10
    /// Most contexts in one file.
    public static let maxContexts = 256
    /// Longest context name.
    public static let maxNameLength = 128
    /// Longest path value, in UTF-8 bytes.
    public static let maxPathBytes = 4096

    /// The file this was read from.
    public var file: String
    /// The context used without `--context` (`current_context`), nil when the file names none.
    public var currentContext: String?
    /// Every context, in file order.
    public var contexts: [Context]

    /// A config read from `file`.
    public init(file: String, currentContext: String?, contexts: [Context]) {
        self.file = file
        self.currentContext = currentContext
        self.contexts = contexts
    }

    /// The context called `name`; throws naming the file and the known names when there is none.
    public func context(named name: String, key: String) throws(ClientConfigError) -> Context {
        if let context = contexts.first(where: { $0.name == name }) { return context }
        let known = contexts.isEmpty ? "it has no contexts" : "its contexts: " + contexts.map(\.name).joined(separator: ", ")
        throw ClientConfigError(file: file, key: key, "no context named '\(name)' (\(known))")
    }
}

/// A client config file that cannot be used: the file, the key path and a sentence.
public struct ClientConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The config file.
    public var file: String
    /// Key path of the offending value (`contexts[1].coordinator`), "" for the whole file.
    public var key: String
    /// What is wrong.
    public var message: String

    /// An error about `key` in `file`.
    public init(file: String, key: String, _ message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    /// "FILE: KEY: message".
    public var description: String { key.isEmpty ? "\(file): \(message)" : "\(file): \(key): \(message)" }
}
