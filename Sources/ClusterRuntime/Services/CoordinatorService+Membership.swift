import ClusterAPI
import Coordinator
import GRPCCore

extension CoordinatorService {
    /// Registers a psd or workerd; a name whose node is alive needs that node's secret.
    public func register(request: Tessera_V1_RegisterRequest, context: ServerContext) async throws -> Tessera_V1_RegisterResponse {
        try await register(request.node, secret: request.nodeSecret)
    }

    /// Heartbeat: tells forgotten nodes to register again; a wrong node secret is UNAUTHENTICATED.
    public func heartbeat(request: Tessera_V1_HeartbeatRequest, context: ServerContext) async throws -> Tessera_V1_HeartbeatResponse {
        let reregister = try heartbeat(nodeID: request.nodeID, secret: request.nodeSecret)
        return .with { $0.reregister = reregister }
    }
}

/// The coordinator psd's own registration, in process (trusted: the coordinator learns its own name from it).
struct LocalRegistrar: MembershipRegistrar {
    let coordinator: CoordinatorService

    func register(_ node: Tessera_V1_NodeInfo, secret: String) async throws -> Tessera_V1_RegisterResponse {
        try await coordinator.register(node, secret: secret, trusted: true)
    }

    func heartbeat(nodeID: UInt64, secret: String) async throws -> Bool { try coordinator.heartbeat(nodeID: nodeID, secret: secret) }

    var coordinatorDescription: String { "self" }
}

extension CoordinatorService {
    /// Registers a node. A name whose node is alive is only re-registered with its `secret` (or `trusted`: the
    /// coordinator's own psd, in process), else ALREADY_EXISTS; the answer carries the secret later calls must send.
    public func register(_ node: Tessera_V1_NodeInfo, secret: String = "", trusted: Bool = false) async throws -> Tessera_V1_RegisterResponse {
        guard !node.name.isEmpty else { throw RPCError(code: .invalidArgument, message: "a node must have a name") }
        let role: NodeRole
        switch node.role {
        case .ps: role = .ps
        case .worker: role = .worker
        default: throw RPCError(code: .invalidArgument, message: "node \(node.name) has no role (ps or worker)")
        }
        if role == .ps {
            guard (try? HostPort(parsing: node.address)) != nil else {
                throw RPCError(code: .invalidArgument, message: "psd \(node.name) registered without a valid address ('\(node.address)'): expected HOST:PORT")
            }
        }
        var info = NodeInfo(name: node.name, role: role, address: node.address, device: node.device.isEmpty ? "cpu" : node.device,
                            threads: Int(node.threads), version: node.version, models: node.models)
        info.dataAddress = node.dataAddress.isEmpty ? nil : node.dataAddress
        info.memoryLimitBytes = max(0, Int(node.memoryLimitBytes))
        if !node.servingAddress.isEmpty {
            guard node.servingAddress.utf8.count <= 512, (try? HostPort(parsing: node.servingAddress)) != nil else {
                throw RPCError(code: .invalidArgument, message: "node \(node.name) registered an invalid serving_address ('\(node.servingAddress.prefix(64))'): expected HOST:PORT")
            }
            info.servingAddress = node.servingAddress
            info.servingTLS = node.servingTls
        }
        if !node.servingGrpcAddress.isEmpty {
            guard node.servingGrpcAddress.utf8.count <= 512, (try? HostPort(parsing: node.servingGrpcAddress)) != nil else {
                throw RPCError(code: .invalidArgument, message: "node \(node.name) registered an invalid serving_grpc_address ('\(node.servingGrpcAddress.prefix(64))'): expected HOST:PORT")
            }
            info.servingGRPCAddress = node.servingGrpcAddress
        }
        let record: NodeRecord
        do {
            record = try await withState { try $0.register(info, secret: secret.isEmpty ? nil : secret, trusted: trusted, now: Self.now()) }
        } catch let error as RPCError where error.code == .alreadyExists {
            RefusalMetrics.record(.authentication)
            logger.notice("registration refused", metadata: ["name": "\(node.name)", "error": "\(error.message)"])
            throw error
        }
        return .with {
            $0.nodeID = record.id.rawValue
            let milliseconds = heartbeatInterval.seconds * 1000
            $0.heartbeatIntervalMs = milliseconds.isFinite ? Int32(min(max(milliseconds, 1), Double(Int32.max))) : 1000
            $0.nodeSecret = record.secret
        }
    }

    /// Records a heartbeat; true when the node is unknown and must register again. A wrong secret throws UNAUTHENTICATED.
    public func heartbeat(nodeID: UInt64, secret: String) throws -> Bool {
        do {
            let actions = try machine.peek { (state) throws(CoordinatorError) in
                try state.authenticate(NodeID(nodeID), secret: secret)
                return try state.heartbeat(NodeID(nodeID), now: Self.now())
            }
            // A node back from suspect or dead can take (a psd: make room for) a task: held GetTask calls re-check —
            // only its own for a worker back from suspect (under load many flap, and all 1,000 re-checking each time
            // would be a storm); everyone's when a psd or a dead worker comes back.
            for case .nodeChanged(let change) in actions {
                machine.wakeups.signal(node: change.role == .worker && change.from == .suspect ? nodeID : nil)
            }
            return false
        } catch let error where error.code == .unknownNode {
            return true
        } catch {
            RefusalMetrics.record(.authentication)
            throw RPCError(failure: error)
        }
    }

    /// Checks that a node's call carries the secret it was given (UNAUTHENTICATED, or NOT_FOUND for an unknown node).
    func authenticate(_ nodeID: UInt64, _ secret: String) throws {
        do {
            try machine.peek { (state) throws(CoordinatorError) in try state.authenticate(NodeID(nodeID), secret: secret) }
        } catch {
            if error.code == .unauthenticated { RefusalMetrics.record(.authentication) }
            throw RPCError(failure: error)
        }
    }
}
