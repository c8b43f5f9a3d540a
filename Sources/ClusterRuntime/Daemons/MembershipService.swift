import ClusterAPI
import Foundation
import Logging
import ServiceLifecycle

/// Who this node is to the coordinator: its id and the secret every later call carries.
public struct NodeIdentity: Sendable, Hashable {
    /// The id the coordinator gave it.
    public var id: UInt64
    /// The secret from `RegisterResponse.node_secret`.
    public var secret: String

    /// Wraps an id and its secret.
    public init(id: UInt64, secret: String) {
        self.id = id
        self.secret = secret
    }
}

/// Keeps a node registered with the coordinator: registers (retrying with backoff while the
/// coordinator is unreachable), heartbeats with its node secret, and registers again when the coordinator forgot it
/// or refuses its secret. A name whose earlier registration is still alive is retried each heartbeat interval
/// until the coordinator judges it dead (a restarted workerd) — unless the secret was kept in `secretFile` (psd).
public final class MembershipService: Service, Sendable {
    private let client: any MembershipRegistrar
    private let info: @Sendable () async -> Tessera_V1_NodeInfo
    private let logger: Logger
    private let registered = LockedValue<NodeIdentity?>(nil)
    /// The secret presented at the next registration (the last one received, or the one read from `secretFile`).
    private let secret: LockedValue<String>
    private let secretFile: String?
    private let interval = LockedValue<Duration>(.seconds(1))

    /// Creates the service; `info` is asked at each registration (the bound address may be known late). With
    /// `secretFile`, the node secret is kept there (owner-only) so a restarted node keeps its identity at once.
    public init(
        client: any MembershipRegistrar, logger: Logger, secretFile: String? = nil, info: @escaping @Sendable () async -> Tessera_V1_NodeInfo
    ) {
        self.client = client
        self.info = info
        self.logger = logger
        self.secretFile = secretFile
        secret = LockedValue(secretFile.flatMap(Self.readSecret) ?? "")
    }

    /// The id the coordinator gave this node, once registered.
    public var nodeID: UInt64? { registered.value?.id }

    /// The id and secret this node's calls carry, once registered.
    public var identity: NodeIdentity? { registered.value }

    /// Waits until the node is registered and returns its identity.
    public func waitForIdentity() async throws -> NodeIdentity {
        while true {
            if let identity = registered.value { return identity }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until the node is registered and returns its id.
    public func waitForRegistration() async throws -> UInt64 { try await waitForIdentity().id }

    /// A call of this node was refused with UNAUTHENTICATED or NOT_FOUND: register again (with the secret it holds)
    /// unless it already did since `identity` was handed out.
    public func identityRejected(_ identity: NodeIdentity) {
        registered.withLock { if $0 == identity { $0 = nil } }
    }

    /// Registers, then heartbeats until shutdown.
    public func run() async throws {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if let identity = registered.value {
                    if try await client.heartbeat(nodeID: identity.id, secret: identity.secret) {
                        logger.notice("coordinator does not know this node any more; registering again")
                        identityRejected(identity)
                        continue
                    }
                } else {
                    let node = await info()
                    let answer = try await client.register(node, secret: secret.value)
                    let identity = NodeIdentity(id: answer.nodeID, secret: answer.nodeSecret)
                    if identity.secret != secret.value {
                        secret.value = identity.secret
                        if let secretFile { writeSecret(identity.secret, to: secretFile) }
                    }
                    registered.value = identity
                    if answer.heartbeatIntervalMs > 0 { interval.value = .milliseconds(Int64(answer.heartbeatIntervalMs)) }
                    logger.info("registered with coordinator", metadata: ["coordinator": "\(client.coordinatorDescription)", "node_id": "\(answer.nodeID)"])
                }
                backoff = .milliseconds(100)
                try await Task.sleep(for: interval.value)
            } catch is CancellationError {
                return
            } catch let failure as RuntimeFailure where failure.code == .unauthenticated && registered.value != nil {
                logger.warning("coordinator refused this node's secret; registering again", metadata: ["error": "\(failure.message)"])
                registered.value = nil
            } catch let failure as RuntimeFailure where failure.code == .alreadyExists {
                // The name's earlier registration (this node before a restart, or another process) is still alive.
                logger.warning("node name in use; retrying until its registration expires", metadata: ["error": "\(failure.message)"])
                try? await Task.sleep(for: interval.value)
            } catch {
                logger.warning("coordinator unreachable, retrying", metadata: ["coordinator": "\(client.coordinatorDescription)", "error": "\(error)", "retry_in": "\(backoff)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    static func readSecret(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 256 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    private func writeSecret(_ secret: String, to path: String) {
        do {
            try DurableFile.write(Data((secret + "\n").utf8), to: path, mode: 0o600)
        } catch {
            logger.warning("could not keep the node secret; a restart will wait for the old registration to expire", metadata: ["file": "\(path)", "error": "\(error)"])
        }
    }
}

/// Where a node registers: the remote coordinator over gRPC, or the coordinator in the same process.
public protocol MembershipRegistrar: Sendable {
    /// Registers a node, presenting the secret of an earlier registration (empty for none).
    func register(_ node: Tessera_V1_NodeInfo, secret: String) async throws -> Tessera_V1_RegisterResponse
    /// Heartbeats with the node's secret; true asks the node to register again.
    func heartbeat(nodeID: UInt64, secret: String) async throws -> Bool
    /// The coordinator's address or "self", for logs.
    var coordinatorDescription: String { get }
}

extension CoordinatorClient: MembershipRegistrar {
    /// The coordinator's address.
    public var coordinatorDescription: String { address.description }
}
