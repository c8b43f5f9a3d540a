/// What a node does in the cluster.
public enum NodeRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// A parameter-server shard (`psd`).
    case ps
    /// A worker agent (`workerd`).
    case worker
}

/// Liveness as judged from heartbeats.
public enum NodeState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Heard from within half the heartbeat timeout.
    case alive
    /// Silent for more than half the heartbeat timeout.
    case suspect
    /// Silent for more than the heartbeat timeout; its tasks are given to others.
    case dead
}

/// What a node tells the coordinator when it registers.
public struct NodeInfo: Sendable, Hashable, Codable {
    /// Unique, stable name (hostname-based by default); a restarted node re-registers with the same name.
    public var name: String
    /// ps or worker.
    public var role: NodeRole
    /// "host:port" where others reach it (for ps: its advertised data/control address).
    public var address: String
    /// Compute device, e.g. "cpu" or "cuda:0 (NVIDIA H100)".
    public var device: String
    /// Compute threads it uses.
    public var threads: Int
    /// Software version string.
    public var version: String
    /// "host:port" of a ps node's native data-plane listener; nil when it has none.
    public var dataAddress: String?
    /// Model types a worker registered beyond the built-in families (sorted, no duplicates; empty for most nodes).
    public var models: [String]
    /// psd: bytes of job state it accepts in all (`--memory-limit`); workerd: bytes of one job's data it accepts
    /// (`--max-data-bytes`); 0 = not advertised (no budget check).
    public var memoryLimitBytes: Int = 0
    /// workerd: "host:port" of its prediction server; nil when it does not serve.
    public var servingAddress: String?
    /// workerd: "host:port" of its gRPC `Prediction` service; nil when it serves none.
    public var servingGRPCAddress: String?
    /// workerd: its prediction server speaks HTTPS.
    public var servingTLS: Bool = false

    /// Creates node information.
    public init(name: String, role: NodeRole, address: String, device: String = "cpu", threads: Int = 1, version: String = "",
                models: [String] = []) {
        self.name = name
        self.role = role
        self.address = address
        self.device = device
        self.threads = threads
        self.version = version
        self.models = models
    }

    enum CodingKeys: String, CodingKey {
        case name, role, address, device, threads, version, dataAddress, models, memoryLimitBytes, servingAddress, servingGRPCAddress, servingTLS
    }
}

extension NodeInfo {
    /// Decodes a node; records saved before workers advertised models decode with none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name), role: try c.decode(NodeRole.self, forKey: .role),
            address: try c.decode(String.self, forKey: .address), device: try c.decode(String.self, forKey: .device),
            threads: try c.decode(Int.self, forKey: .threads), version: try c.decode(String.self, forKey: .version),
            models: try c.decodeIfPresent([String].self, forKey: .models) ?? [])
        dataAddress = try c.decodeIfPresent(String.self, forKey: .dataAddress)
        memoryLimitBytes = max(0, try c.decodeIfPresent(Int.self, forKey: .memoryLimitBytes) ?? 0)
        servingAddress = try c.decodeIfPresent(String.self, forKey: .servingAddress)
        servingGRPCAddress = try c.decodeIfPresent(String.self, forKey: .servingGRPCAddress)
        servingTLS = try c.decodeIfPresent(Bool.self, forKey: .servingTLS) ?? false
    }
}

/// A member as the coordinator sees it.
public struct NodeRecord: Sendable, Hashable, Codable {
    /// Stable id (kept across re-registrations under the same name).
    public var id: NodeID
    /// What the node last registered with.
    public var info: NodeInfo
    /// Liveness.
    public var state: NodeState
    /// When it (re-)registered, in coordinator seconds.
    public var registeredAt: Double
    /// When it was last heard from, in coordinator seconds.
    public var lastSeen: Double
    /// How many times it registered (1 on first join).
    public var registrations: Int
    /// What its calls must carry (`NodeSecret`); empty for a node stored before nodes had secrets.
    public var secret: String

    /// Creates a record.
    public init(
        id: NodeID, info: NodeInfo, state: NodeState, registeredAt: Double, lastSeen: Double, registrations: Int, secret: String = ""
    ) {
        self.id = id
        self.info = info
        self.state = state
        self.registeredAt = registeredAt
        self.lastSeen = lastSeen
        self.registrations = registrations
        self.secret = secret
    }

    enum CodingKeys: String, CodingKey {
        case id, info, state, registeredAt, lastSeen, registrations, secret
    }

    /// Decodes a record; records stored before nodes had secrets decode with none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(NodeID.self, forKey: .id), info: try c.decode(NodeInfo.self, forKey: .info),
            state: try c.decode(NodeState.self, forKey: .state), registeredAt: try c.decode(Double.self, forKey: .registeredAt),
            lastSeen: try c.decode(Double.self, forKey: .lastSeen), registrations: try c.decode(Int.self, forKey: .registrations),
            secret: try c.decodeIfPresent(String.self, forKey: .secret) ?? "")
    }
}

/// A node whose liveness changed during a sweep or heartbeat.
public struct NodeTransition: Sendable, Hashable {
    /// The node.
    public var node: NodeID
    /// Its name.
    public var name: String
    /// Its role.
    public var role: NodeRole
    /// State before.
    public var from: NodeState
    /// State after.
    public var to: NodeState
}
