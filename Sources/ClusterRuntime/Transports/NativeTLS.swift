import NIOSSL

/// TLS for the native data plane, from the same PEM files as the gRPC side (`TLSFiles`): the psd
/// presents its certificate and, given a CA, requires clients to present one signed by it (mutual
/// TLS); workers verify the psd against the CA and present their own certificate. Host names are
/// not checked when a CA is given: the cluster CA is private, as on the gRPC side.
enum NativeTLS {
    /// The server context of a psd's native listener.
    static func serverContext(_ files: TLSFiles) throws -> NIOSSLContext {
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: files.key, format: .pem)))
        if let ca = files.ca {
            config.certificateVerification = .noHostnameVerification
            config.trustRoots = .file(ca)
        }
        return try NIOSSLContext(configuration: config)
    }

    /// The client context of a worker's native connections.
    static func clientContext(_ files: TLSFiles) throws -> NIOSSLContext {
        var config = TLSConfiguration.makeClientConfiguration()
        config.certificateChain = try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) }
        config.privateKey = .privateKey(try NIOSSLPrivateKey(file: files.key, format: .pem))
        if let ca = files.ca {
            config.trustRoots = .file(ca)
            config.certificateVerification = .noHostnameVerification
        }
        return try NIOSSLContext(configuration: config)
    }

    /// The name to verify and send as SNI: nil for IP literals (not valid SNI).
    static func serverHostname(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }
}
