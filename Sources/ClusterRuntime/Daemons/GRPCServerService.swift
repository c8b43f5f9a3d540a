import GRPCCore
import GRPCNIOTransportCore
import GRPCNIOTransportHTTP2Posix
import Logging
import ServiceLifecycle

/// Runs a gRPC server as a lifecycle `Service`: serves until graceful shutdown, then drains in-flight
/// RPCs (Health.Watch streams of its `HealthService` end first). Its listener enforces the given
/// `ServerLimits` (connections, idle time) besides message size and streams per connection.
public final class GRPCServerService: Service, Sendable {
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let health: HealthService?
    private let limiter: GRPCConnectionLimiter
    private let logger: Logger

    /// Creates the server on an address with the given services.
    public init(
        address: HostPort, services: [any RegistrableRPCService], logger: Logger, security: RPCSecurity = .none, limits: ServerLimits = .default
    ) {
        let limiter = GRPCConnectionLimiter(maxConnections: limits.maxConnections, idleTimeout: limits.idleTimeout)
        self.limiter = limiter
        self.server = GRPCServer(
            transport: makeServerTransport(address, security: security, limits: limits, limiter: limiter), services: services,
            interceptors: security.serverInterceptors)
        self.health = services.lazy.compactMap { $0 as? HealthService }.first
        self.logger = logger
    }

    /// The address actually bound (resolves port 0); nil if the server failed to start.
    public func boundAddress() async throws -> HostPort? {
        guard let address = try await server.listeningAddress else { return nil }
        if let v4 = address.ipv4 { return HostPort(host: v4.host, port: v4.port) }
        if let v6 = address.ipv6 { return HostPort(host: v6.host, port: v6.port) }
        return nil
    }

    /// TCP connections the listener holds now (refused ones over the cap not counted).
    public var openConnections: Int { limiter.openConnections }

    /// Serves until the service group shuts down.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            self.logger.info("draining in-flight requests")
            self.stop()
        }
    }

    /// Begins a graceful shutdown outside a service group (tests): ends health watches, drains the rest.
    public func stop() {
        health?.endWatches()
        server.beginGracefulShutdown()
    }
}
