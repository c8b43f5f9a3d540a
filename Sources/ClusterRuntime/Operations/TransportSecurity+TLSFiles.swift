import GRPCNIOTransportCore
import GRPCNIOTransportHTTP2Posix

extension RPCSecurity {
    /// The server side: TLS with this node's certificate; with a CA, clients must present a
    /// certificate signed by it (mutual TLS). Host names are not checked: the cluster CA is private.
    var serverTransportSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
        guard let tls else { return .plaintext }
        return .tls(
            certificateChain: [.file(path: tls.certificate, format: .pem)],
            privateKey: .file(path: tls.key, format: .pem)
        ) { config in
            if let ca = tls.ca {
                config.clientCertificateVerification = .noHostnameVerification
                config.trustRoots = .certificates([.file(path: ca, format: .pem)])
            }
        }
    }

    /// The client side: verifies the server against the CA (system roots without one) and presents
    /// this node's certificate for mutual TLS.
    var clientTransportSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
        guard let tls else { return .plaintext }
        return .tls { config in
            config.certificateChain = [.file(path: tls.certificate, format: .pem)]
            config.privateKey = .file(path: tls.key, format: .pem)
            if let ca = tls.ca {
                config.trustRoots = .certificates([.file(path: ca, format: .pem)])
                config.serverCertificateVerification = .noHostnameVerification
            }
        }
    }
}
