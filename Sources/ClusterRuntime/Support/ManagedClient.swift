import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// A gRPC client to one address whose connection loop runs in a background task until `close()`.
public final class ManagedClient: Sendable {
    /// The address dialled.
    public let address: HostPort
    /// The underlying grpc-swift client, for wrapping in generated stubs.
    public let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let runner: Task<Void, Never>

    /// Creates the client and starts connecting in the background (RPCs made before the connection is up wait for it);
    /// `security` adds the bearer token to every call and TLS to the connection.
    public init(address: HostPort, security: RPCSecurity = .none) throws {
        self.address = address
        let client = GRPCClient(
            transport: try makeClientTransport(address, security: security), interceptors: security.clientInterceptors)
        self.client = client
        self.runner = Task { try? await client.runConnections() }
    }

    /// Stops accepting RPCs and closes the connection once in-flight ones finish.
    public func close() {
        client.beginGracefulShutdown()
    }

    deinit {
        client.beginGracefulShutdown()
    }
}

/// Options for one call: a deadline (every RPC has one) and optional metadata.
public func callOptions(timeout: Duration) -> CallOptions {
    var options = CallOptions.defaults
    options.timeout = timeout
    return options
}
