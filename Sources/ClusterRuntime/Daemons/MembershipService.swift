import ClusterAPI
import Logging
import ServiceLifecycle

/// Keeps a node registered with the coordinator: registers (retrying with backoff while the
/// coordinator is unreachable), heartbeats, and registers again when the coordinator forgot it.
public final class MembershipService: Service, Sendable {
    private let client: CoordinatorClient
    private let info: @Sendable () async -> Tessera_V1_NodeInfo
    private let logger: Logger
    private let registered = LockedValue<UInt64?>(nil)
    private let interval = LockedValue<Duration>(.seconds(1))

    /// Creates the service; `info` is asked at each registration (the bound address may be known late).
    public init(client: CoordinatorClient, logger: Logger, info: @escaping @Sendable () async -> Tessera_V1_NodeInfo) {
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
                    logger.info("registered with coordinator", metadata: ["coordinator": "\(client.address)", "node_id": "\(answer.nodeID)"])
                }
                backoff = .milliseconds(100)
                try await Task.sleep(for: interval.value)
            } catch is CancellationError {
                return
            } catch {
                logger.warning("coordinator unreachable, retrying", metadata: ["coordinator": "\(client.address)", "error": "\(error)", "retry_in": "\(backoff)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}
