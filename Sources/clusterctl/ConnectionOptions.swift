import ArgumentParser
import ClusterPresentation
import ClusterRuntime
import Foundation

/// Where to connect and with which credentials: flags, else `TESSERA_*` variables, else the context of the client
/// config file (`--context`, else its `current_context`), else 127.0.0.1:7070 without token or TLS.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "Coordinator address HOST:PORT (default: $TESSERA_COORDINATOR, else the context's, else 127.0.0.1:7070).")
    var coordinator: String?

    @Option(
        name: .long, help: "Context of the client config file to use (default: its current_context; file: $TESSERA_CONFIG, else ~/.config/tessera/config.yaml).",
        completion: .custom { _, _, _ in ConnectionOptions.contextNames() })
    var context: String?

    @Option(name: .long, help: "File holding the cluster's bearer token (default: $TESSERA_TOKEN_FILE, else the context's).")
    var tokenFile: String?

    @Option(name: .long, help: "PEM client certificate for TLS (default: $TESSERA_TLS_CERT, else the context's).")
    var tlsCert: String?

    @Option(name: .long, help: "PEM key of --tls-cert (default: $TESSERA_TLS_KEY, else the context's).")
    var tlsKey: String?

    @Option(name: .long, help: "PEM CA bundle the coordinator's certificate must chain to (default: $TESSERA_TLS_CA, else the context's).")
    var tlsCa: String?

    /// Every value resolved by precedence, with its source.
    func settings() throws -> ConnectionSettings {
        let environment = ProcessInfo.processInfo.environment
        let path = ClientConfig.path(environment: environment)
        do {
            let config = try path.flatMap { path throws(ClientConfigError) in try ClientConfig.load(path: path, home: environment["HOME"]) }
            return try ConnectionSettings.resolve(
                flags: .init(coordinator: coordinator, tokenFile: tokenFile, tlsCA: tlsCa, tlsCert: tlsCert, tlsKey: tlsKey, context: context),
                environment: environment, config: config, configPath: path)
        } catch {
            throw RuntimeFailure(.invalidArgument, error.description)
        }
    }

    /// The token and TLS files of `settings`.
    static func security(_ settings: ConnectionSettings) throws -> RPCSecurity {
        let token = try settings.tokenFile.map { try RPCSecurity.readToken(file: $0.value) }
        let cert = settings.tlsCert?.value, key = settings.tlsKey?.value, ca = settings.tlsCA?.value
        if (cert == nil) != (key == nil) {
            let given = (settings.tlsCert ?? settings.tlsKey)?.source ?? ""
            throw RuntimeFailure(.invalidArgument, "--tls-cert and --tls-key go together: give both or neither (one came from \(given))")
        }
        var tls: TLSFiles?
        if let cert, let key {
            tls = TLSFiles(certificate: cert, key: key, ca: ca)
        } else if ca != nil {
            throw RuntimeFailure(.invalidArgument, "--tls-ca needs --tls-cert and --tls-key (the cluster uses mutual TLS)")
        }
        return RPCSecurity(token: token, tls: tls)
    }

    /// The token and TLS files, by precedence.
    func security() throws -> RPCSecurity { try Self.security(try settings()) }

    /// The address to dial, by precedence.
    func address() throws -> HostPort {
        let coordinator = try settings().coordinator
        do {
            return try HostPort(parsing: coordinator.value)
        } catch {
            throw RuntimeFailure(.invalidArgument, "\(error.message) (coordinator from \(coordinator.source))")
        }
    }

    /// A connected client whose calls each have `timeout`.
    func client(timeout: Duration) throws -> CoordinatorClient {
        let settings = try settings()
        let address: HostPort
        do {
            address = try HostPort(parsing: settings.coordinator.value)
        } catch {
            throw RuntimeFailure(.invalidArgument, "\(error.message) (coordinator from \(settings.coordinator.source))")
        }
        return try CoordinatorClient(address: address, timeout: timeout, security: try Self.security(settings))
    }

    /// The context names of the config file, for shell completion (none when it cannot be read).
    static func contextNames() -> [String] {
        let environment = ProcessInfo.processInfo.environment
        guard let path = ClientConfig.path(environment: environment),
            let config = try? ClientConfig.load(path: path, home: environment["HOME"])
        else { return [] }
        return config.contexts.map(\.name)
    }
}
