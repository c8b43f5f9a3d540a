import Logging

/// Everything the coordinator must persist so a restart loses nothing (nodes keep their ids, jobs their state).
public struct CoordinatorSnapshot: Sendable, Hashable, Codable {
    /// Registered nodes.
    public var nodes: [NodeRecord]
    /// Every job, oldest first.
    public var jobs: [JobRecord]
    /// The next job number to hand out.
    public var nextJobID: UInt64
    /// Every study, oldest first.
    public var studies: [StudyRecord]
    /// The next study number to hand out.
    public var nextStudyID: UInt64

    /// Creates a snapshot.
    public init(nodes: [NodeRecord], jobs: [JobRecord], nextJobID: UInt64, studies: [StudyRecord] = [], nextStudyID: UInt64 = 1) {
        self.nodes = nodes
        self.jobs = jobs
        self.nextJobID = nextJobID
        self.studies = studies
        self.nextStudyID = nextStudyID
    }

    /// Decodes a snapshot; one written before studies existed has none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nodes = try c.decode([NodeRecord].self, forKey: .nodes)
        jobs = try c.decode([JobRecord].self, forKey: .jobs)
        nextJobID = try c.decode(UInt64.self, forKey: .nextJobID)
        studies = try c.decodeIfPresent([StudyRecord].self, forKey: .studies) ?? []
        nextStudyID = try c.decodeIfPresent(UInt64.self, forKey: .nextStudyID) ?? 1
    }

    enum CodingKeys: String, CodingKey {
        case nodes, jobs, studies
        case nextJobID = "next_job_id"
        case nextStudyID = "next_study_id"
    }
}

/// What changed since the changes were last taken: the rows a store must write or delete (O(changed), not O(all)).
public struct CoordinatorChanges: Sendable, Hashable {
    /// Nodes registered or whose liveness changed.
    public var nodes: [NodeRecord]
    /// Jobs created or changed.
    public var jobs: [JobRecord]
    /// Jobs deleted.
    public var deletedJobs: [JobID]
    /// Nodes forgotten (dead for longer than `CoordinatorConfig.forgetDeadNodesAfter`).
    public var deletedNodes: [NodeID] = []
    /// The next job number to hand out.
    public var nextJobID: UInt64
    /// Studies created or changed.
    public var studies: [StudyRecord] = []
    /// Studies deleted.
    public var deletedStudies: [StudyID] = []
    /// The next study number to hand out.
    public var nextStudyID: UInt64 = 1

    /// Creates a change set.
    public init(
        nodes: [NodeRecord] = [], jobs: [JobRecord] = [], deletedJobs: [JobID] = [], deletedNodes: [NodeID] = [], nextJobID: UInt64,
        studies: [StudyRecord] = [], deletedStudies: [StudyID] = [], nextStudyID: UInt64 = 1
    ) {
        self.nodes = nodes
        self.jobs = jobs
        self.deletedJobs = deletedJobs
        self.deletedNodes = deletedNodes
        self.nextJobID = nextJobID
        self.studies = studies
        self.deletedStudies = deletedStudies
        self.nextStudyID = nextStudyID
    }

    /// Whether nothing but possibly the counters is in it.
    public var isEmpty: Bool {
        nodes.isEmpty && jobs.isEmpty && deletedJobs.isEmpty && deletedNodes.isEmpty && studies.isEmpty && deletedStudies.isEmpty
    }

    /// These changes followed by `newer` (a row in both takes `newer`'s version; a job deleted later is not written).
    public func merged(with newer: CoordinatorChanges) -> CoordinatorChanges {
        Self.merged([self, newer]) ?? newer
    }

    /// Change sets taken one after another, as one set (each row at its newest version, counters from the last);
    /// nil for none. One pass over all of them, however many (a store writing a burst of changes in one transaction).
    public static func merged(_ sets: [CoordinatorChanges]) -> CoordinatorChanges? {
        guard let last = sets.last else { return nil }
        guard sets.count > 1 else { return last }
        let nodes = merge(sets.map { ($0.nodes, $0.deletedNodes) }, id: \.id)
        let jobs = merge(sets.map { ($0.jobs, $0.deletedJobs) }, id: \.id)
        let studies = merge(sets.map { ($0.studies, $0.deletedStudies) }, id: \.id)
        return CoordinatorChanges(
            nodes: nodes.rows, jobs: jobs.rows, deletedJobs: jobs.deleted, deletedNodes: nodes.deleted, nextJobID: last.nextJobID,
            studies: studies.rows, deletedStudies: studies.deleted, nextStudyID: last.nextStudyID)
    }

    /// One table's rows and deletions, oldest first: a row written later replaces an earlier one and undoes an earlier
    /// deletion; a later deletion drops the row. Both by id.
    static func merge<Row, ID: Hashable & Comparable>(_ steps: [([Row], [ID])], id: (Row) -> ID) -> (rows: [Row], deleted: [ID]) {
        var byID: [ID: Row] = [:]
        var gone = Set<ID>()
        for (rows, deleted) in steps {
            for key in deleted {
                byID[key] = nil
                gone.insert(key)
            }
            for row in rows {
                byID[id(row)] = row
                gone.remove(id(row))
            }
        }
        return (byID.keys.sorted().compactMap { byID[$0] }, gone.sorted())
    }
}

extension Coordinator {
    /// The whole persistable state (O(all jobs): for tests and tools; the runtime persists `takeChanges()`).
    public func snapshot() -> CoordinatorSnapshot {
        CoordinatorSnapshot(
            nodes: membership.nodes(), jobs: records.keys.sorted().compactMap { records[$0] }, nextJobID: nextJobID,
            studies: studies.all, nextStudyID: nextStudyID)
    }

    /// What changed since the last call (or since the coordinator was created or restored): write it to the store
    /// after every call that changed the state.
    public mutating func takeChanges() -> CoordinatorChanges {
        let jobs = records.takeChanges()
        let nodes = membership.takeChanges()
        let studyChanges = studies.takeChanges()
        return CoordinatorChanges(
            nodes: nodes.changed, jobs: jobs.changed, deletedJobs: jobs.removed, deletedNodes: nodes.removed, nextJobID: nextJobID,
            studies: studyChanges.changed, deletedStudies: studyChanges.removed, nextStudyID: nextStudyID)
    }

    /// Restores a coordinator after a restart at time `now` (use a clock whose origin survives restarts, e.g. Unix time;
    /// nodes get a fresh heartbeat timeout). Nothing restored counts as changed; see `failUnloadableJobs`.
    public init(restoring snapshot: CoordinatorSnapshot, config: CoordinatorConfig = CoordinatorConfig(), logger: Logger? = nil, now: Double) throws(CoordinatorError) {
        try self.init(config: config, logger: logger)
        membership = Membership(
            restoring: snapshot.nodes, heartbeatInterval: config.heartbeatInterval,
            heartbeatTimeout: config.heartbeatTimeout, now: now)
        records = JobTable(restoring: snapshot.jobs)
        nextJobID = max(snapshot.nextJobID, (snapshot.jobs.map(\.id.rawValue).max() ?? 0) + 1)
        studies = StudyTable(restoring: snapshot.studies)
        for record in snapshot.studies {
            if let job = record.study.best?.jobID.flatMap(JobID.init(parsing:)) { studyBest[record.id] = job }
        }
        nextStudyID = max(snapshot.nextStudyID, (snapshot.studies.map(\.id.rawValue).max() ?? 0) + 1)
    }

    /// After a restart: PENDING or RUNNING jobs whose stored spec this version no longer accepts (stored by an older
    /// version, or damaged) are FAILED with the reason, so they never reach a worker or a shard; returns what the
    /// runtime must do for them.
    public mutating func failUnloadableJobs(now: Double) -> [CoordinatorAction] {
        var actions: [CoordinatorAction] = []
        for id in activeJobIDs() {
            guard var job = records[id] else { continue }
            do throws(SpecError) {
                try job.spec.validate()
            } catch {
                logger.error("stored job could not be loaded", metadata: ["job": "\(id)", "error": "\(error)"])
                actions += end(&job, .failed, "\(JobRecord.unloadableReason): \(error)", now: now)
                records[id] = job
            }
        }
        return actions
    }
}
