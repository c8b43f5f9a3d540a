/// Cluster members and their liveness; time is passed in as seconds on a monotonic clock so tests are deterministic.
public struct Membership: Sendable {
    /// How often nodes are expected to heartbeat, in seconds (told to nodes on registration).
    public let heartbeatInterval: Double
    /// Silence after which a node is dead; after half of it the node is suspect.
    public let heartbeatTimeout: Double
    private var records: [NodeID: NodeRecord] = [:]
    private var idsByName: [String: NodeID] = [:]
    private var nextID: UInt64 = 1

    /// Creates an empty membership (defaults: 1 s interval, 10 s timeout).
    public init(heartbeatInterval: Double = 1, heartbeatTimeout: Double = 10) {
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatTimeout = heartbeatTimeout
    }

    /// Registers a node, or re-registers one with a known name (same id, updated info, alive again).
    public mutating func register(_ info: NodeInfo, now: Double) throws(CoordinatorError) -> NodeRecord {
        var info = info
        info.models = try Self.normalizedModels(info)
        guard !info.name.isEmpty else { throw CoordinatorError(.invalidNode, "a node needs a non-empty name") }
        guard !info.address.isEmpty || info.role == .worker else {
            throw CoordinatorError(.invalidNode, "ps node \"\(info.name)\" must advertise an address (host:port)")
        }
        if let id = idsByName[info.name], var record = records[id] {
            guard record.info.role == info.role else {
                throw CoordinatorError(
                    .invalidNode,
                    "node name \"\(info.name)\" is already registered as \(record.info.role.rawValue); pick another name")
            }
            record.info = info
            record.state = .alive
            record.registeredAt = now
            record.lastSeen = now
            record.registrations += 1
            records[id] = record
            return record
        }
        let id = NodeID(nextID)
        nextID += 1
        let record = NodeRecord(id: id, info: info, state: .alive, registeredAt: now, lastSeen: now, registrations: 1)
        records[id] = record
        idsByName[info.name] = id
        return record
    }

    /// Records a heartbeat; a suspect or dead node becomes alive again. Returns the transition, if any.
    @discardableResult
    public mutating func heartbeat(_ id: NodeID, now: Double) throws(CoordinatorError) -> NodeTransition? {
        guard var record = records[id] else {
            throw CoordinatorError(.unknownNode, "\(id) is not registered; register again")
        }
        record.lastSeen = max(record.lastSeen, now)
        let before = record.state
        record.state = .alive
        records[id] = record
        guard before != .alive else { return nil }
        return NodeTransition(node: id, name: record.info.name, role: record.info.role, from: before, to: .alive)
    }

    /// Re-judges every node's liveness at `now` and returns the changes (alive → suspect → dead).
    public mutating func sweep(now: Double) -> [NodeTransition] {
        var changes: [NodeTransition] = []
        for id in records.keys.sorted() {
            guard var record = records[id] else { continue }
            let silent = now - record.lastSeen
            let state: NodeState =
                silent > heartbeatTimeout ? .dead : silent > heartbeatTimeout / 2 ? .suspect : .alive
            // A sweep only moves nodes towards dead; coming back needs a heartbeat or registration.
            guard rank(state) > rank(record.state) else { continue }
            changes.append(NodeTransition(node: id, name: record.info.name, role: record.info.role, from: record.state, to: state))
            record.state = state
            records[id] = record
        }
        return changes
    }

    /// A node by id.
    public func node(_ id: NodeID) -> NodeRecord? { records[id] }

    /// A node by name.
    public func node(named name: String) -> NodeRecord? { idsByName[name].flatMap { records[$0] } }

    /// Every node, by id.
    public func nodes() -> [NodeRecord] { records.keys.sorted().compactMap { records[$0] } }

    /// Nodes of a role that are not dead (alive or suspect), by id.
    public func live(_ role: NodeRole) -> [NodeRecord] {
        nodes().filter { $0.info.role == role && $0.state != .dead }
    }

    /// Whether a node exists and is not dead.
    public func isLive(_ id: NodeID) -> Bool { records[id].map { $0.state != .dead } ?? false }

    private func rank(_ s: NodeState) -> Int {
        switch s {
        case .alive: 0
        case .suspect: 1
        case .dead: 2
        }
    }
}

extension Membership {
    /// Rebuilds membership from saved records after a coordinator restart: every node gets a fresh timeout to
    /// heartbeat again (`lastSeen = now`, alive) and keeps its id.
    public init(restoring saved: [NodeRecord], heartbeatInterval: Double = 1, heartbeatTimeout: Double = 10, now: Double) {
        self.init(heartbeatInterval: heartbeatInterval, heartbeatTimeout: heartbeatTimeout)
        for var record in saved {
            record.lastSeen = now
            record.state = .alive
            records[record.id] = record
            idsByName[record.info.name] = record.id
            nextID = max(nextID, record.id.rawValue + 1)
        }
    }
}
