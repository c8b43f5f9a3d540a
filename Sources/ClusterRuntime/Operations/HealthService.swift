import ClusterAPI
import GRPCCore

/// The standard `grpc.health.v1.Health` service: serving status per service name ("" is the whole
/// server). Reachable without a token, so load balancers and Kubernetes probes can use it.
public final class HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol, Sendable {
    private let statuses: LockedValue<[String: Grpc_Health_V1_HealthCheckResponse.ServingStatus]>
    private let pollInterval: Duration

    /// Creates the service with every named service (and "") NOT_SERVING until `setServing(_:)` is called.
    public init(services: [String], pollInterval: Duration = .milliseconds(200)) {
        var initial: [String: Grpc_Health_V1_HealthCheckResponse.ServingStatus] = ["": .notServing]
        for service in services { initial[service] = .notServing }
        statuses = LockedValue(initial)
        self.pollInterval = pollInterval
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

    /// Answers the status of a service; NOT_FOUND for a service this server does not have.
    public func check(
        request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext
    ) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard let status = status(of: request.service) else {
            throw RPCError(code: .notFound, message: "no service named '\(request.service)' on this server")
        }
        return .with { $0.status = status }
    }

    /// Streams the status now and after every change (SERVICE_UNKNOWN for an unknown service) until the client leaves.
    public func watch(
        request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        var last: Grpc_Health_V1_HealthCheckResponse.ServingStatus?
        while !Task.isCancelled {
            let now = status(of: request.service) ?? .serviceUnknown
            if now != last {
                try await response.write(.with { $0.status = now })
                last = now
            }
            do { try await Task.sleep(for: pollInterval) } catch { return }
        }
    }
}

extension HealthService {
    /// The services a psd reports on ("" covers the whole server).
    public static let parameterServerServices = ["tessera.v1.ParameterServer", "tessera.v1.DataPlane", "tessera.v1.Coordinator"]
}
