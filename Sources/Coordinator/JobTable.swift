/// The coordinator's jobs by id, with an index of the active ones, counts by state, and the ids written or
/// removed since the changes were last taken, so that serving and persisting cost O(active jobs), not O(all jobs).
struct JobTable: Sendable {
    private var storage: [JobID: JobRecord] = [:]
    /// PENDING and RUNNING jobs.
    private(set) var active: Set<JobID> = []
    /// Jobs whose model is served (`JobRecord.isServed`).
    private(set) var served: Set<JobID> = []
    /// Jobs by state.
    private(set) var counts = JobCounts()
    /// Jobs whose record changed since the last `takeChanges()`.
    private(set) var changed: Set<JobID> = []
    /// Jobs removed since the last `takeChanges()`.
    private(set) var removed: Set<JobID> = []

    /// Empty.
    init() {}

    /// Loads records as they are stored: nothing counts as changed.
    init(restoring records: [JobRecord]) {
        for record in records { self[record.id] = record }
        changed = []
    }

    /// A job by id; setting a different record marks it changed, `nil` removes it.
    subscript(id: JobID) -> JobRecord? {
        get { storage[id] }
        set {
            let old = storage[id]
            guard old != newValue else { return }
            if let old {
                counts.remove(old.state)
                if !old.state.isTerminal { active.remove(id) }
                if old.isServed { served.remove(id) }
            }
            if let newValue {
                counts.add(newValue.state)
                if !newValue.state.isTerminal { active.insert(id) }
                if newValue.isServed { served.insert(id) }
                storage[id] = newValue
                changed.insert(id)
                removed.remove(id)
            } else {
                storage.removeValue(forKey: id)
                changed.remove(id)
                removed.insert(id)
            }
        }
    }

    /// Every id, unordered.
    var keys: Dictionary<JobID, JobRecord>.Keys { storage.keys }

    /// Every record, unordered.
    var values: Dictionary<JobID, JobRecord>.Values { storage.values }

    /// How many jobs there are.
    var count: Int { storage.count }

    /// Ended jobs (SUCCEEDED, FAILED, CANCELLED).
    var endedCount: Int { counts.succeeded + counts.failed + counts.cancelled }

    /// Drains the change sets: the changed records (by id) and the removed ids.
    mutating func takeChanges() -> (changed: [JobRecord], removed: [JobID]) {
        let records = changed.sorted().compactMap { storage[$0] }
        let gone = removed.sorted()
        changed = []
        removed = []
        return (records, gone)
    }
}

extension JobCounts {
    /// Un-counts one job.
    mutating func remove(_ state: JobState) {
        switch state {
        case .pending: pending -= 1
        case .running: running -= 1
        case .succeeded: succeeded -= 1
        case .failed: failed -= 1
        case .cancelled: cancelled -= 1
        }
    }

    /// Jobs in one state.
    public func count(_ state: JobState) -> Int {
        switch state {
        case .pending: pending
        case .running: running
        case .succeeded: succeeded
        case .failed: failed
        case .cancelled: cancelled
        }
    }

    /// Every job counted.
    public var total: Int { pending + running + succeeded + failed + cancelled }
}
