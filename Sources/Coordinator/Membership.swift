/// Cluster members and their liveness; time is passed in as seconds on a monotonic clock so tests are deterministic.
public struct Membership: Sendable {
    /// How often nodes are expected to heartbeat, in seconds (told to nodes on registration).
    public let heartbeatInterval: Double
    /// Silence after which a node is dead; after half of it the node is suspect.
    public let heartbeatTimeout: Double
    private var records: [NodeID: NodeRecord] = [:]
    private var idsByName: [String: NodeID] = [:]
    private var nextID: UInt64 = 1
    /// Nodes changed since `takeChanges()`.
    private var changed: Set<NodeID> = []
    /// Nodes forgotten since `takeChanges()`.
    private var removed: Set<NodeID> = []

    /// Creates an empty membership (defaults: 1 s interval, 10 s timeout).
    public init(heartbeatInterval: Double = 1, heartbeatTimeout: Double = 10) {
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatTimeout = heartbeatTimeout
    }

    /// Heartbeat intervals a node must have missed before a registration without its secret takes its name over.
    public static let takeoverHeartbeats = 3

    /// Silence after which a node's name can be taken over without its secret: `takeoverHeartbeats` intervals but at
    /// least 3 s (a busy node's heartbeat may be late), at most the heartbeat timeout. A node that heartbeats keeps
    /// its name; a restarted one (its secret lost) gets it back this long after it stopped, before it is judged dead.
    public var takeoverSilence: Double { min(max(Double(Self.takeoverHeartbeats) * heartbeatInterval, 3), heartbeatTimeout) }

    /// Registers a node, or re-registers one with a known name (same id, updated info, alive again). A name whose
    /// node heartbeats is only re-registered with that node's `secret` (or `trusted`, the coordinator's own psd in
    /// process); the name of a node silent for `takeoverSilence` — or stored before nodes had secrets — is taken over
    /// with a new secret (same id: a restarted node finds its tasks), and the old secret stops working.
    public mutating func register(
        _ info: NodeInfo, secret: String? = nil, trusted: Bool = false, now: Double
    ) throws(CoordinatorError) -> NodeRecord {
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
            let holdsSecret = !record.secret.isEmpty && NodeSecret.matches(secret ?? "", record.secret)
            if !trusted, !holdsSecret, !record.secret.isEmpty, record.state != .dead, now - record.lastSeen < takeoverSilence {
                throw CoordinatorError(
                    .nameTaken,
                    "node name \"\(info.name)\" belongs to \(id), which heartbeated \(Self.seconds(now - record.lastSeen)) ago: "
                        + "register with its node secret, or wait until it has been silent for \(Self.seconds(takeoverSilence)) "
                        + "(it then counts as stopped) and take the name over")
            }
            // A node that proved itself (or the trusted in-process psd) keeps its secret; a takeover gets a new one.
            if record.secret.isEmpty || !(holdsSecret || trusted) { record.secret = NodeSecret.generate() }
            record.info = info
            record.state = .alive
            record.registeredAt = now
            record.lastSeen = now
            record.registrations += 1
            records[id] = record
            changed.insert(id)
            return record
        }
        let id = NodeID(nextID)
        nextID += 1
        let record = NodeRecord(
            id: id, info: info, state: .alive, registeredAt: now, lastSeen: now, registrations: 1, secret: NodeSecret.generate())
        records[id] = record
        idsByName[info.name] = id
        changed.insert(id)
        return record
    }

    /// Checks that `secret` is the one the node was given at registration (compared in constant time).
    public func authenticate(_ id: NodeID, secret: String) throws(CoordinatorError) {
        guard let record = records[id] else {
            throw CoordinatorError(.unknownNode, "\(id) is not registered; register again")
        }
        guard NodeSecret.matches(secret, record.secret) else {
            throw CoordinatorError(.unauthenticated, "node \(id.rawValue): the node secret does not match; register again")
        }
    }

    /// Nodes whose record changed (registration, liveness) and nodes forgotten since the last call, by id.
    public mutating func takeChanges() -> (changed: [NodeRecord], removed: [NodeID]) {
        let out = changed.sorted().compactMap { records[$0] }
        let gone = removed.sorted()
        changed = []
        removed = []
        return (out, gone)
    }

    /// Forgets nodes dead (silent) for more than `after` seconds, except those in `keep`; returns them. A forgotten
    /// node that comes back registers as a new node (a new id) under its name.
    public mutating func forgetDead(after: Double, now: Double, keep: Set<NodeID>) -> [NodeRecord] {
        let gone = records.values.filter { $0.state == .dead && now - $0.lastSeen > after && !keep.contains($0.id) }
        for record in gone {
            records[record.id] = nil
            if idsByName[record.info.name] == record.id { idsByName[record.info.name] = nil }
            changed.remove(record.id)
            removed.insert(record.id)
        }
        return gone.sorted { $0.id < $1.id }
    }

    static func seconds(_ value: Double) -> String {
        value.isFinite ? "\((max(0, value) * 10).rounded() / 10) s" : "\(value) s"
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
        changed.insert(id)
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
            self.changed.insert(id)
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
