import ArgumentParser
import ClusterRuntime
import Foundation

/// Options every clusterctl command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Coordinator address HOST:PORT (default: $TESSERA_COORDINATOR, else 127.0.0.1:7070).")
    var coordinator: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Option(name: .long, help: "Deadline of each call in seconds.")
    var timeout: Double = 10

    @Option(name: .long, help: "File holding the cluster's bearer token (default: $TESSERA_TOKEN_FILE).")
    var tokenFile: String?

    @Option(name: .long, help: "PEM client certificate for TLS (default: $TESSERA_TLS_CERT).")
    var tlsCert: String?

    @Option(name: .long, help: "PEM key of --tls-cert (default: $TESSERA_TLS_KEY).")
    var tlsKey: String?

    @Option(name: .long, help: "PEM CA bundle the coordinator's certificate must chain to (default: $TESSERA_TLS_CA).")
    var tlsCa: String?

    /// The token and TLS files, by precedence flag > environment.
    func security() throws -> RPCSecurity {
        let environment = ProcessInfo.processInfo.environment
        let token = try (tokenFile ?? environment["TESSERA_TOKEN_FILE"]).map { try RPCSecurity.readToken(file: $0) }
        let cert = tlsCert ?? environment["TESSERA_TLS_CERT"]
        let key = tlsKey ?? environment["TESSERA_TLS_KEY"]
        let ca = tlsCa ?? environment["TESSERA_TLS_CA"]
        if (cert == nil) != (key == nil) {
            throw RuntimeFailure(.invalidArgument, "--tls-cert and --tls-key go together: give both or neither")
        }
        var tls: TLSFiles?
        if let cert, let key {
            tls = TLSFiles(certificate: cert, key: key, ca: ca)
        } else if ca != nil {
            throw RuntimeFailure(.invalidArgument, "--tls-ca needs --tls-cert and --tls-key (the cluster uses mutual TLS)")
        }
        return RPCSecurity(token: token, tls: tls)
    }

    /// The address to dial, resolved by precedence flag > environment > default.
    func address() throws -> HostPort {
        let text = coordinator ?? ProcessInfo.processInfo.environment["TESSERA_COORDINATOR"] ?? "127.0.0.1:7070"
        return try HostPort(parsing: text)
    }

    /// A connected client.
    func client() throws -> CoordinatorClient {
        try CoordinatorClient(address: try address(), timeout: .milliseconds(Int64(timeout * 1000)), security: try security())
    }
}
