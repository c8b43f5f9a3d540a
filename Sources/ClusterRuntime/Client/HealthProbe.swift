import ClusterAPI
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// Asks a node's standard `grpc.health.v1.Health` service how it is, for `clusterctl status`.
public enum HealthProbe {
    /// What one probe found.
    public enum Result: Sendable, Equatable, CustomStringConvertible {
        /// The server answered SERVING.
        case serving
        /// The server answered NOT_SERVING (starting, draining) or SERVICE_UNKNOWN.
        case notServing(String)
        /// No answer: the sentence says why (refused, deadline, TLS).
        case unreachable(String)

        /// "serving", "NOT_SERVING", "unreachable: …".
        public var description: String {
            switch self {
            case .serving: "serving"
            case .notServing(let status): status
            case .unreachable(let why): "unreachable: \(why)"
            }
        }
    }

    /// Checks the whole server ("" service) at `address` within `timeout`; never throws.
    public static func check(_ address: HostPort, security: RPCSecurity, timeout: Duration = .seconds(2)) async -> Result {
        do {
            let connection = try ManagedClient(address: address, security: security)
            defer { connection.close() }
            let health = Grpc_Health_V1_Health.Client(wrapping: connection.client)
            let answer = try await health.check(.with { $0.service = "" }, options: callOptions(timeout: timeout))
            switch answer.status {
            case .serving: return .serving
            case .notServing: return .notServing("NOT_SERVING")
            case .serviceUnknown: return .notServing("SERVICE_UNKNOWN")
            default: return .notServing("UNKNOWN")
            }
        } catch let error as RPCError {
            return .unreachable(RuntimeFailure(error: error, peer: address, doing: "check health").message)
        } catch {
            return .unreachable("\(error)")
        }
    }

    /// Probes every node with a control address concurrently; workers (no gRPC server) are skipped.
    public static func checkAll(_ nodes: [Tessera_V1_Node], security: RPCSecurity, timeout: Duration = .seconds(2)) async -> [UInt64: Result] {
        await withTaskGroup(of: (UInt64, Result)?.self) { group in
            for node in nodes where node.info.role == .ps && !node.info.address.isEmpty {
                group.addTask {
                    guard let address = try? HostPort(parsing: node.info.address) else { return (node.id, .unreachable("bad address \(node.info.address)")) }
                    return (node.id, await check(address, security: security, timeout: timeout))
                }
            }
            var results: [UInt64: Result] = [:]
            for await case let (id, result)? in group { results[id] = result }
            return results
        }
    }
}
