/// A context as `config get-contexts -o json|yaml` prints it.
public struct ContextSummary: Codable, Equatable, Sendable {
    /// Its name.
    public var name: String
    /// Whether it is the file's `current_context`.
    public var current: Bool
    /// Coordinator HOST:PORT, null when the context names none.
    @Nullable public var coordinator: String?
    /// Token file (resolved path), null for none.
    @Nullable public var tokenFile: String?
    /// CA bundle, null for none.
    @Nullable public var tlsCA: String?
    /// Client certificate, null for none.
    @Nullable public var tlsCert: String?
    /// Its key, null for none.
    @Nullable public var tlsKey: String?

    enum CodingKeys: String, CodingKey {
        case name, current, coordinator
        case tokenFile = "token_file"
        case tlsCA = "tls_ca"
        case tlsCert = "tls_cert"
        case tlsKey = "tls_key"
    }

    /// Every context of `config`, in file order.
    public static func all(_ config: ClientConfig) -> [ContextSummary] {
        config.contexts.map {
            ContextSummary(
                name: $0.name, current: $0.name == config.currentContext, coordinator: $0.coordinator, tokenFile: $0.tokenFile,
                tlsCA: $0.tlsCA, tlsCert: $0.tlsCert, tlsKey: $0.tlsKey)
        }
    }

    /// The `config get-contexts` table: CURRENT, NAME, COORDINATOR, TOKEN FILE, TLS.
    public static func table(_ contexts: [ContextSummary]) -> TableRenderer {
        TableRenderer(
            header: ["CURRENT", "NAME", "COORDINATOR", "TOKEN FILE", "TLS"],
            rows: contexts.map {
                [$0.current ? "*" : "", $0.name, $0.coordinator ?? "-", $0.tokenFile ?? "-", $0.tlsCert == nil ? "no" : "mutual"]
            })
    }
}

extension ContextSummary: NamedOutput {
    /// The context's name.
    public var outputNames: [String] { [name] }
}
