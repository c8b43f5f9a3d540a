import ClusterAPI
import GRPCCore

/// The standard `grpc.health.v1.Health` service: serving status per service name ("" is the whole
/// server). Reachable without a token, so load balancers and Kubernetes probes can use it; since
/// anyone may open a Watch stream, at most `maxWatchStreams` are open at once (more are refused with
/// RESOURCE_EXHAUSTED) and `endWatches()` ends them all when the server stops.
public final class HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol, Sendable {
    private struct Watches {
        var open = 0
        var ended = false
    }

    private let statuses: LockedValue<[String: Grpc_Health_V1_HealthCheckResponse.ServingStatus]>
    private let pollInterval: Duration
    private let watches = LockedValue(Watches())
    /// Most Watch streams open at once.
    public let maxWatchStreams: Int

    /// Creates the service with every named service (and "") NOT_SERVING until `setServing(_:)` is called.
    public init(services: [String], pollInterval: Duration = .milliseconds(200), maxWatchStreams: Int = ServerLimits.default.maxWatchStreams) {
        var initial: [String: Grpc_Health_V1_HealthCheckResponse.ServingStatus] = ["": .notServing]
        for service in services { initial[service] = .notServing }
        statuses = LockedValue(initial)
        self.pollInterval = pollInterval
        self.maxWatchStreams = maxWatchStreams
    }

    /// Marks the server and every known service serving (true) or not serving (false).
    public func setServing(_ serving: Bool) {
        statuses.withLock { map in
            for key in map.keys { map[key] = serving ? .serving : .notServing }
        }
    }

    /// The current status of one service, nil when it is unknown.
    public func status(of service: String) -> Grpc_Health_V1_HealthCheckResponse.ServingStatus? {
        statuses.value[service]
    }

    /// Watch streams open now.
    public var openWatches: Int { watches.value.open }

    /// Ends every Watch stream (after it sends the status current then) and refuses new ones: the server is stopping.
    public func endWatches() {
        watches.withLock { $0.ended = true }
    }

    /// Answers the status of a service; NOT_FOUND for a service this server does not have.
    public func check(
        request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext
    ) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard let status = status(of: request.service) else {
            throw RPCError(code: .notFound, message: "no service named '\(request.service)' on this server")
        }
        return .with { $0.status = status }
    }

    /// Streams the status now and after every change (SERVICE_UNKNOWN for an unknown service) until the
    /// client leaves or the server stops; RESOURCE_EXHAUSTED when `maxWatchStreams` are open already,
    /// UNAVAILABLE when the server is stopping.
    public func watch(
        request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        let admitted = watches.withLock { state -> Bool? in
            if state.ended { return nil }
            guard state.open < maxWatchStreams else { return false }
            state.open += 1
            return true
        }
        guard let admitted else { throw RPCError(code: .unavailable, message: "the server is stopping") }
        guard admitted else {
            RefusalMetrics.record(.watchStreams)
            throw RPCError(
                code: .resourceExhausted,
                message: "this server has its limit of \(maxWatchStreams) Health.Watch streams (max_watch_streams) open; use Check or retry later")
        }
        defer { watches.withLock { $0.open -= 1 } }
        var last: Grpc_Health_V1_HealthCheckResponse.ServingStatus?
        while !Task.isCancelled {
            let now = status(of: request.service) ?? .serviceUnknown
            if now != last {
                try await response.write(.with { $0.status = now })
                last = now
            }
            if watches.value.ended { return }
            do { try await Task.sleep(for: pollInterval) } catch { return }
        }
    }
}

extension HealthService {
    /// The services a psd reports on ("" covers the whole server).
    public static let parameterServerServices = ["tessera.v1.ParameterServer", "tessera.v1.DataPlane", "tessera.v1.Coordinator"]
}
