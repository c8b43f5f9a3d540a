import ClusterAPI
import Logging
import ServiceLifecycle

/// Keeps a node registered with the coordinator: registers (retrying with backoff while the
/// coordinator is unreachable), heartbeats, and registers again when the coordinator forgot it.
public final class MembershipService: Service, Sendable {
    private let client: any MembershipRegistrar
    private let info: @Sendable () async -> Tessera_V1_NodeInfo
    private let logger: Logger
    private let registered = LockedValue<UInt64?>(nil)
    private let interval = LockedValue<Duration>(.seconds(1))

    /// Creates the service; `info` is asked at each registration (the bound address may be known late).
    public init(client: any MembershipRegistrar, logger: Logger, info: @escaping @Sendable () async -> Tessera_V1_NodeInfo) {
        self.client = client
        self.info = info
        self.logger = logger
    }

    /// The id the coordinator gave this node, once registered.
    public var nodeID: UInt64? { registered.value }

    /// Waits until the node is registered and returns its id.
    public func waitForRegistration() async throws -> UInt64 {
        while true {
            if let id = registered.value { return id }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Registers, then heartbeats until shutdown.
    public func run() async throws {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if let id = registered.value {
                    if try await client.heartbeat(nodeID: id) {
                        logger.notice("coordinator does not know this node any more; registering again")
                        registered.value = nil
                        continue
                    }
                } else {
                    let node = await info()
                    let answer = try await client.register(node)
                    registered.value = answer.nodeID
                    if answer.heartbeatIntervalMs > 0 { interval.value = .milliseconds(Int64(answer.heartbeatIntervalMs)) }
                    logger.info("registered with coordinator", metadata: ["coordinator": "\(client.coordinatorDescription)", "node_id": "\(answer.nodeID)"])
                }
                backoff = .milliseconds(100)
                try await Task.sleep(for: interval.value)
            } catch is CancellationError {
                return
            } catch {
                logger.warning("coordinator unreachable, retrying", metadata: ["coordinator": "\(client.coordinatorDescription)", "error": "\(error)", "retry_in": "\(backoff)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}

/// Where a node registers: the remote coordinator over gRPC, or the coordinator in the same process.
public protocol MembershipRegistrar: Sendable {
    /// Registers a node.
    func register(_ node: Tessera_V1_NodeInfo) async throws -> Tessera_V1_RegisterResponse
    /// Heartbeats; true asks the node to register again.
    func heartbeat(nodeID: UInt64) async throws -> Bool
    /// The coordinator's address or "self", for logs.
    var coordinatorDescription: String { get }
}

extension CoordinatorClient: MembershipRegistrar {
    /// The coordinator's address.
    public var coordinatorDescription: String { address.description }
}
