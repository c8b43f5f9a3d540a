import GRPCCore
import GRPCNIOTransportCore
import GRPCNIOTransportHTTP2Posix
import Logging
import ServiceLifecycle

/// Runs a gRPC server as a lifecycle `Service`: serves until graceful shutdown, then drains in-flight
/// RPCs (calls its services hold open — Health.Watch streams, long-polled GetTask calls — end first). Its listener enforces the given
/// `ServerLimits` (connections, idle time) besides message size and streams per connection.
public final class GRPCServerService: Service, Sendable {
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let holders: [any HoldsOpenCalls]
    private let limiter: GRPCConnectionLimiter
    private let logger: Logger
    private let address: HostPort
    /// Where the listener stands: nil until it is bound or has failed (`boundAddress()` waits on it, cancellably).
    private let listening = LockedValue<Result<HostPort?, RuntimeFailure>?>(nil)
    private let watching = LockedValue(false)

    /// Creates the server on an address with the given services (request messages up to `maxRequestBytes`).
    public init(
        address: HostPort, services: [any RegistrableRPCService], logger: Logger, security: RPCSecurity = .none, limits: ServerLimits = .default,
        maxRequestBytes: Int = GRPCLimits.maxMessageBytes
    ) {
        let limiter = GRPCConnectionLimiter(maxConnections: limits.maxConnections, idleTimeout: limits.idleTimeout)
        self.limiter = limiter
        self.server = GRPCServer(
            transport: makeServerTransport(address, security: security, limits: limits, limiter: limiter, maxRequestBytes: maxRequestBytes),
            services: services,
            interceptors: security.serverInterceptors)
        self.holders = services.compactMap { $0 as? any HoldsOpenCalls }
        self.logger = logger
        self.address = address
    }

    /// The address actually bound (resolves port 0); waits until the server listens, throws UNAVAILABLE when it could
    /// not (a port in use) and CancellationError when the waiting task is cancelled — it never waits past a failure.
    public func boundAddress() async throws -> HostPort? {
        watchListeningAddress()
        while true {
            switch listening.value {
            case .success(let address): return address
            case .failure(let failure): throw failure
            case nil: try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Once: a task that records the server's listening address when it has one (gRPC's own wait cannot be
    /// cancelled and never ends when the server fails to bind, so nobody awaits it directly).
    private func watchListeningAddress() {
        let first = watching.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { return }
        let (server, listening, address) = (server, listening, address)
        Task {
            do {
                let bound = try await server.listeningAddress
                let host: HostPort? =
                    if let v4 = bound?.ipv4 { HostPort(host: v4.host, port: v4.port) } else if let v6 = bound?.ipv6 { HostPort(host: v6.host, port: v6.port) } else { nil }
                listening.withLock { if $0 == nil { $0 = .success(host) } }
            } catch {
                listening.withLock { if $0 == nil { $0 = .failure(RuntimeFailure(.unavailable, "cannot listen for gRPC on \(address): \(error)")) } }
            }
        }
    }

    /// TCP connections the listener holds now (refused ones over the cap not counted).
    public var openConnections: Int { limiter.openConnections }

    /// Serves until the service group shuts down.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            do {
                try await server.serve()
            } catch {
                // A port in use, a bad address: say which listener, and let every waiter on the address go.
                let failure = RuntimeFailure(.unavailable, "cannot listen for gRPC on \(address): \(Self.cause(error))")
                listening.withLock { if $0 == nil { $0 = .failure(failure) } }
                throw failure
            }
        } onGracefulShutdown: {
            self.logger.info("draining in-flight requests")
            self.stop()
        }
    }

    /// The innermost sentence of a gRPC transport error ("bind(…): Address already in use (errno: 98)").
    static func cause(_ error: any Error) -> String {
        if let rpc = error as? RPCError, let cause = rpc.cause { return "\(rpc.message) (\(cause))" }
        return "\(error)"
    }

    /// Begins a graceful shutdown outside a service group (tests): ends held calls (health watches, long-polled
    /// GetTask calls), drains the rest.
    public func stop() {
        for holder in holders { holder.endHeldCalls() }
        server.beginGracefulShutdown()
    }
}

/// A service whose calls may stay open (watch streams, long polls): the server ends them before it drains.
public protocol HoldsOpenCalls: Sendable {
    /// Ends the calls held open now and answers later ones at once.
    func endHeldCalls()
}

extension HealthService: HoldsOpenCalls {
    /// Ends the Watch streams.
    public func endHeldCalls() { endWatches() }
}

extension CoordinatorService: HoldsOpenCalls {}
