import Coordinator
import Foundation
import Logging
import Synchronization

/// The coordinator's durable state: nodes, jobs (spec, state, placement, workers, metric history,
/// latest checkpoint) and the job counter in `<data-dir>/coordinator.sqlite`.
///
/// `save` is called before an RPC that changed the state answers, so a restart loses nothing that
/// was acknowledged; it writes only the rows whose content changed, in one transaction.
public final class CoordinatorStore: Sendable {
    /// The database file.
    public let path: String
    private let database: SQLiteDatabase
    private let logger: Logger
    /// The encodings last written, by row, so unchanged rows are skipped.
    private let written = Mutex<Written>(Written())

    private struct Written {
        var nodes: [UInt64: String] = [:]
        var jobs: [UInt64: String] = [:]
        var states: [UInt64: String] = [:]
        var nextJobID: UInt64?
        var synchronousFull = true
    }

    /// The schema this code reads and writes (`PRAGMA user_version`).
    static let schemaVersion = 1

    /// Opens (creating) the store in `directory`.
    public init(directory: String, logger: Logger = Logger(label: "tessera.store")) throws(CoordinatorStoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CoordinatorStoreError("cannot create the data dir \(directory): \(error.localizedDescription)")
        }
        path = (directory as NSString).appendingPathComponent("coordinator.sqlite")
        self.logger = logger
        database = try SQLiteDatabase(path: path)
        try migrate()
    }

    private func migrate() throws(CoordinatorStoreError) {
        let version = try database.query("PRAGMA user_version").first?.first?.integer ?? 0
        guard version <= Self.schemaVersion else {
            throw CoordinatorStoreError("\(path) has schema version \(version); this psd understands up to \(Self.schemaVersion) (a newer Tessera wrote it)")
        }
        guard version < Self.schemaVersion else { return }
        try database.execute("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS nodes (id INTEGER PRIMARY KEY, name TEXT NOT NULL, record TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, state TEXT NOT NULL, record TEXT NOT NULL);
            PRAGMA user_version = \(Self.schemaVersion);
            """)
    }

    /// The stored state, or nil when the store is empty (a new coordinator).
    public func load() throws(CoordinatorStoreError) -> CoordinatorSnapshot? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let nodeRows = try database.query("SELECT id, record FROM nodes ORDER BY id")
        let jobRows = try database.query("SELECT id, record FROM jobs ORDER BY id")
        let next = try database.query("SELECT value FROM meta WHERE key = 'next_job_id'").first?.first?.text.flatMap { UInt64($0) }
        guard !nodeRows.isEmpty || !jobRows.isEmpty || next != nil else { return nil }
        func decode<T: Decodable>(_ type: T.Type, _ row: [SQLiteValue], _ table: String) throws(CoordinatorStoreError) -> T {
            let id = row.first?.integer ?? -1
            guard row.count == 2, let text = row[1].text else {
                throw CoordinatorStoreError("\(path): row \(id) of table \(table) is malformed")
            }
            do {
                return try decoder.decode(T.self, from: Data(text.utf8))
            } catch {
                throw CoordinatorStoreError("\(path): row \(id) of table \(table) does not decode: \(error)")
            }
        }
        var nodes: [NodeRecord] = []
        for row in nodeRows { nodes.append(try decode(NodeRecord.self, row, "nodes")) }
        var jobs: [JobRecord] = []
        for row in jobRows { jobs.append(try decode(JobRecord.self, row, "jobs")) }
        let snapshot = CoordinatorSnapshot(nodes: nodes, jobs: jobs, nextJobID: next ?? 1)
        written.withLock { w in
            for n in nodes { w.nodes[n.id.rawValue] = Self.comparable(n) }
            for j in jobs {
                w.jobs[j.id.rawValue] = Self.encode(j)
                w.states[j.id.rawValue] = Self.stateKey(j)
            }
            w.nextJobID = next
        }
        return snapshot
    }

    /// Writes what changed since the last save (or load) in one transaction. Durable against power loss (fsync before
    /// returning) unless `progressOnly` and the change is only progress figures of known jobs (metrics, steps): then it
    /// is durable against a crash of the process (WAL) and reaches the disk with the next durable write.
    public func save(_ snapshot: CoordinatorSnapshot, progressOnly: Bool = false) throws(CoordinatorStoreError) {
        try written.withLock { (w) throws(CoordinatorStoreError) in
            var nodeRows: [(NodeRecord, String)] = []
            for node in snapshot.nodes {
                let key = Self.comparable(node)
                if w.nodes[node.id.rawValue] != key { nodeRows.append((node, key)) }
            }
            var jobRows: [(JobRecord, String)] = []
            for job in snapshot.jobs {
                let text = Self.encode(job)
                if w.jobs[job.id.rawValue] != text { jobRows.append((job, text)) }
            }
            let nextChanged = w.nextJobID != snapshot.nextJobID
            guard !nodeRows.isEmpty || !jobRows.isEmpty || nextChanged else { return }
            let lifecycleChanged = jobRows.contains { w.states[$0.0.id.rawValue] != Self.stateKey($0.0) }
            let full = !progressOnly || !nodeRows.isEmpty || nextChanged || lifecycleChanged
            if full != w.synchronousFull {
                try database.execute(full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
                w.synchronousFull = full
            }
            try database.transaction { (db) throws(CoordinatorStoreError) in
                for (node, _) in nodeRows {
                    try db.run("INSERT OR REPLACE INTO nodes (id, name, record) VALUES (?, ?, ?)",
                               [.integer(Int64(node.id.rawValue)), .text(node.info.name), .text(Self.encode(node))])
                }
                for (job, text) in jobRows {
                    try db.run("INSERT OR REPLACE INTO jobs (id, state, record) VALUES (?, ?, ?)",
                               [.integer(Int64(job.id.rawValue)), .text(job.state.rawValue), .text(text)])
                }
                if nextChanged {
                    try db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_job_id', ?)", [.text(String(snapshot.nextJobID))])
                }
            }
            for (node, key) in nodeRows { w.nodes[node.id.rawValue] = key }
            for (job, text) in jobRows {
                w.jobs[job.id.rawValue] = text
                w.states[job.id.rawValue] = Self.stateKey(job)
            }
            w.nextJobID = snapshot.nextJobID
        }
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Records are plain Codable structs of numbers and strings: encoding cannot fail.
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    /// What makes a job change durable at once: its lifecycle state, recovery, placement and checkpoint.
    static func stateKey(_ job: JobRecord) -> String {
        "\(job.state.rawValue)|\(job.recovering ?? "")|\(job.placement == nil)|\(job.checkpoint?.version ?? -1)|\(job.workers.map { "\($0.state.rawValue)\($0.node?.rawValue ?? 0)" })"
    }

    /// A node's encoding without its heartbeat time, so heartbeats alone do not cause writes.
    static func comparable(_ node: NodeRecord) -> String {
        var copy = node
        copy.lastSeen = 0
        return encode(copy)
    }
}
