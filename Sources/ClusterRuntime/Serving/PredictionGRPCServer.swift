import Logging
import ServiceLifecycle

/// Serves the gRPC `tessera.v1.Prediction` service of a `PredictionAPI` as a lifecycle `Service`, beside its REST
/// server: the same models and request limits (a message over `maxBodyBytes` is refused by the transport with
/// RESOURCE_EXHAUSTED), the API's token checked by the cluster's bearer-token interceptor (UNAUTHENTICATED), the
/// listener's connection cap and idle timeout of every Tessera gRPC server. With `tls` it speaks TLS with that
/// certificate; no client certificate is asked for (prediction clients are not cluster nodes: the token authenticates).
public final class PredictionGRPCServer: Service, Sendable {
    /// The address asked for.
    public let address: HostPort
    private let server: GRPCServerService
    private let logger: Logger
    private let serving = LockedValue<Task<Void, any Error>?>(nil)

    /// A server of `api` on `address` (port 0: any free port, see `bind`).
    public init(address: HostPort, api: PredictionAPI, tls: TLSFiles? = nil, logger: Logger, limits: ServerLimits = .default) {
        self.address = address
        self.logger = logger
        let security = RPCSecurity(token: api.token, tls: tls.map { TLSFiles(certificate: $0.certificate, key: $0.key) })
        server = GRPCServerService(
            address: address, services: [PredictionService(api: api)], logger: logger, security: security, limits: limits,
            maxRequestBytes: api.limits.maxBodyBytes)
    }

    /// Starts listening now (before `run`), so the bound address can be advertised first; returns it (port 0
    /// resolved). UNAVAILABLE naming the address when it cannot listen. Idempotent.
    @discardableResult
    public func bind() async throws -> HostPort {
        let started = serving.withLock { task -> Bool in
            guard task == nil else { return false }
            let server = self.server
            task = Task { try await server.run() }
            return true
        }
        guard let bound = try await server.boundAddress() else {
            throw RuntimeFailure(.unavailable, "the gRPC prediction server on \(address) reports no address")
        }
        if started { logger.info("serving predictions over gRPC", metadata: ["address": "\(bound)", "service": "tessera.v1.Prediction"]) }
        return bound
    }

    /// Binds (unless `bind` did) and serves until graceful shutdown or cancellation, then drains in-flight calls.
    public func run() async throws {
        try await bind()
        guard let task = serving.value else { return }
        let server = self.server
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler { try await task.value } onCancel: { server.stop() }
        } onGracefulShutdown: {
            server.stop()
        }
    }

    /// Stops accepting calls and drains the ones in flight (outside a service group: tests, `ServingHost`).
    public func stop() { server.stop() }
}
