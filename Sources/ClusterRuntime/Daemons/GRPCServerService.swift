import GRPCCore
import GRPCNIOTransportCore
import GRPCNIOTransportHTTP2Posix
import Logging
import ServiceLifecycle

/// Runs a gRPC server as a lifecycle `Service`: serves until graceful shutdown, then drains in-flight RPCs.
public final class GRPCServerService: Service, Sendable {
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let logger: Logger

    /// Creates the server on an address with the given services.
    public init(address: HostPort, services: [any RegistrableRPCService], logger: Logger, security: RPCSecurity = .none) {
        self.server = GRPCServer(
            transport: makeServerTransport(address, security: security), services: services,
            interceptors: security.serverInterceptors)
        self.logger = logger
    }

    /// The address actually bound (resolves port 0); nil if the server failed to start.
    public func boundAddress() async throws -> HostPort? {
        guard let address = try await server.listeningAddress else { return nil }
        if let v4 = address.ipv4 { return HostPort(host: v4.host, port: v4.port) }
        if let v6 = address.ipv6 { return HostPort(host: v6.host, port: v6.port) }
        return nil
    }

    /// Serves until the service group shuts down.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            self.logger.info("draining in-flight requests")
            self.server.beginGracefulShutdown()
        }
    }

    /// Begins a graceful shutdown outside a service group (tests).
    public func stop() { server.beginGracefulShutdown() }
}
