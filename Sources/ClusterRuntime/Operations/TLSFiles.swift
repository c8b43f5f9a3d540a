/// PEM files for gRPC transport security: this node's certificate chain and key, and the CA
/// that peers' certificates must chain to (mutual TLS when the CA is given on the server).
public struct TLSFiles: Sendable, Hashable, Codable {
    /// PEM certificate chain presented to peers.
    public var certificate: String
    /// PEM private key of `certificate`.
    public var key: String
    /// PEM CA bundle used to verify peers; nil trusts the system roots (client) or asks no client certificate (server).
    public var ca: String?

    /// Creates the file set.
    public init(certificate: String, key: String, ca: String? = nil) {
        self.certificate = certificate
        self.key = key
        self.ca = ca
    }
}
