import Coordinator
import Foundation
import Logging
import Synchronization

/// The coordinator's durable state: nodes, jobs (spec, state, placement, workers, metric history,
/// latest checkpoint) and the job counter in `<data-dir>/coordinator.sqlite` (mode 0600, like its -wal and -shm).
///
/// `save` is called before an RPC that changed the state answers, so a restart loses nothing that
/// was acknowledged; it writes only the rows that changed (`Coordinator.takeChanges()`), in one transaction.
public final class CoordinatorStore: Sendable {
    /// The database file.
    public let path: String
    let database: SQLiteDatabase
    let logger: Logger
    /// What was last written, so unchanged rows and durability levels are skipped.
    let written = Mutex<Written>(Written())

    struct Written {
        /// Each node's encoding without its heartbeat time.
        var nodes: [UInt64: String] = [:]
        /// Each active job's lifecycle key (`stateKey`); ended jobs are dropped from it.
        var states: [UInt64: String] = [:]
        var nextJobID: UInt64?
        var nextStudyID: UInt64?
        var synchronousFull = true
        /// Changes a failed save could not write: merged into the next save.
        var unsaved: CoordinatorChanges?
        /// Rows written or deleted since the store was opened.
        var rows = 0
    }

    /// Rows written or deleted since the store was opened (what the saves cost; tests check it stays O(changed)).
    public var rowsWritten: Int { written.withLock { $0.rows } }

    /// The schema this code reads and writes (`PRAGMA user_version`).
    static let schemaVersion = 2

    /// Opens (creating) the store in `directory`.
    public init(directory: String, logger: Logger = Logger(label: "tessera.store")) throws(CoordinatorStoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CoordinatorStoreError("cannot create the data dir \(directory): \(error.localizedDescription)")
        }
        path = (directory as NSString).appendingPathComponent("coordinator.sqlite")
        self.logger = logger
        try Self.restrictModes(path)
        database = try SQLiteDatabase(path: path)
        try migrate()
        // SQLite creates -wal and -shm with the database's mode; older versions' files are tightened here.
        try Self.restrictModes(path)
    }

    /// Creates the database file owner-only (0600) if missing, and takes group/world access away from it and its
    /// -wal/-shm files when present.
    static func restrictModes(_ path: String) throws(CoordinatorStoreError) {
        let fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CoordinatorStoreError("cannot create the coordinator store \(path): \(String(cString: strerror(errno)))") }
        close(fd)
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            guard chmod(file, 0o600) == 0 else {
                throw CoordinatorStoreError("cannot make \(file) owner-only (0600): \(String(cString: strerror(errno)))")
            }
        }
    }

    private func migrate() throws(CoordinatorStoreError) {
        let version = try database.query("PRAGMA user_version").first?.first?.integer ?? 0
        guard version <= Self.schemaVersion else {
            throw CoordinatorStoreError("\(path) has schema version \(version); this psd understands up to \(Self.schemaVersion) (a newer Tessera wrote it)")
        }
        guard version < Self.schemaVersion else { return }
        // Version 1: nodes, jobs, meta. Version 2 adds studies. Each statement is idempotent.
        try database.execute("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS nodes (id INTEGER PRIMARY KEY, name TEXT NOT NULL, record TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, state TEXT NOT NULL, record TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS studies (id INTEGER PRIMARY KEY, state TEXT NOT NULL, record TEXT NOT NULL);
            PRAGMA user_version = \(Self.schemaVersion);
            """)
    }

    /// Writes what changed in one transaction. Durable against power loss (fsync before returning) unless
    /// `progressOnly` and the change is only progress figures of known jobs (metrics, steps): then it is durable
    /// against a crash of the process (WAL) and reaches the disk with the next durable write. Nodes whose record did
    /// not change apart from their heartbeat time are skipped. When it throws, the changes are kept and written with
    /// the next save.
    public func save(_ changes: CoordinatorChanges, progressOnly: Bool = false) throws(CoordinatorStoreError) {
        try written.withLock { (w) throws(CoordinatorStoreError) in
            let changes = w.unsaved.map { $0.merged(with: changes) } ?? changes
            w.unsaved = changes
            var nodeRows: [(NodeRecord, String)] = []
            for node in changes.nodes {
                let key = Self.comparable(node)
                if w.nodes[node.id.rawValue] != key { nodeRows.append((node, key)) }
            }
            let jobRows = changes.jobs.map { ($0, Self.encode($0)) }
            let studyRows = changes.studies.map { ($0, Self.encode($0)) }
            let nextChanged = w.nextJobID != changes.nextJobID
            let nextStudyChanged = w.nextStudyID != changes.nextStudyID && !(w.nextStudyID == nil && changes.nextStudyID == 1)
            let studiesChanged = !studyRows.isEmpty || !changes.deletedStudies.isEmpty || nextStudyChanged
            guard !nodeRows.isEmpty || !jobRows.isEmpty || !changes.deletedJobs.isEmpty || !changes.deletedNodes.isEmpty || nextChanged
                || studiesChanged
            else {
                w.unsaved = nil
                return
            }
            let lifecycleChanged = jobRows.contains { w.states[$0.0.id.rawValue] != Self.stateKey($0.0) }
            let full = !progressOnly || !nodeRows.isEmpty || nextChanged || lifecycleChanged || !changes.deletedJobs.isEmpty
                || !changes.deletedNodes.isEmpty || studiesChanged
            if full != w.synchronousFull {
                try database.execute(full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
                w.synchronousFull = full
            }
            try database.transaction { (db) throws(CoordinatorStoreError) in
                for (node, _) in nodeRows {
                    try db.run("INSERT OR REPLACE INTO nodes (id, name, record) VALUES (?, ?, ?)",
                               [.integer(Int64(bitPattern: node.id.rawValue)), .text(node.info.name), .text(Self.encode(node))])
                }
                for (job, text) in jobRows {
                    try db.run("INSERT OR REPLACE INTO jobs (id, state, record) VALUES (?, ?, ?)",
                               [.integer(Int64(bitPattern: job.id.rawValue)), .text(job.state.rawValue), .text(text)])
                }
                for id in changes.deletedJobs {
                    try db.run("DELETE FROM jobs WHERE id = ?", [.integer(Int64(bitPattern: id.rawValue))])
                }
                for id in changes.deletedNodes {
                    try db.run("DELETE FROM nodes WHERE id = ?", [.integer(Int64(bitPattern: id.rawValue))])
                }
                if nextChanged {
                    try db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_job_id', ?)", [.text(String(changes.nextJobID))])
                }
                for (study, text) in studyRows {
                    try db.run("INSERT OR REPLACE INTO studies (id, state, record) VALUES (?, ?, ?)",
                               [.integer(Int64(bitPattern: study.id.rawValue)), .text(study.state.rawValue), .text(text)])
                }
                for id in changes.deletedStudies {
                    try db.run("DELETE FROM studies WHERE id = ?", [.integer(Int64(bitPattern: id.rawValue))])
                }
                if nextStudyChanged {
                    try db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_study_id', ?)", [.text(String(changes.nextStudyID))])
                }
            }
            for (node, key) in nodeRows { w.nodes[node.id.rawValue] = key }
            for (job, _) in jobRows { w.states[job.id.rawValue] = job.state.isTerminal ? nil : Self.stateKey(job) }
            for id in changes.deletedJobs { w.states[id.rawValue] = nil }
            for id in changes.deletedNodes { w.nodes[id.rawValue] = nil }
            w.nextJobID = changes.nextJobID
            if nextStudyChanged { w.nextStudyID = changes.nextStudyID }
            w.unsaved = nil
            w.rows += nodeRows.count + jobRows.count + changes.deletedJobs.count + changes.deletedNodes.count + (nextChanged ? 1 : 0)
                + studyRows.count + changes.deletedStudies.count + (nextStudyChanged ? 1 : 0)
        }
    }

    /// Writes a whole state: every job of the snapshot, the nodes that changed, and deletes stored jobs it lacks
    /// (O(all jobs): for tests and tools; the coordinator saves its changes).
    public func save(_ snapshot: CoordinatorSnapshot, progressOnly: Bool = false) throws(CoordinatorStoreError) {
        let kept = Set(snapshot.jobs.map(\.id.rawValue))
        let stored = try database.query("SELECT id FROM jobs").compactMap { $0.first?.integer.map { UInt64(bitPattern: $0) } }
        let keptStudies = Set(snapshot.studies.map(\.id.rawValue))
        let storedStudies = try database.query("SELECT id FROM studies").compactMap { $0.first?.integer.map { UInt64(bitPattern: $0) } }
        try save(
            CoordinatorChanges(
                nodes: snapshot.nodes, jobs: snapshot.jobs, deletedJobs: stored.filter { !kept.contains($0) }.map { JobID($0) },
                nextJobID: snapshot.nextJobID, studies: snapshot.studies,
                deletedStudies: storedStudies.filter { !keptStudies.contains($0) }.map { StudyID($0) }, nextStudyID: snapshot.nextStudyID),
            progressOnly: progressOnly)
    }

    /// How many job rows the store holds.
    public func jobCount() throws(CoordinatorStoreError) -> Int {
        Int(try database.query("SELECT COUNT(*) FROM jobs").first?.first?.integer ?? 0)
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
