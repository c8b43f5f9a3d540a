/// The most recent succeeded jobs whose variables stay on their shards (so `clusterctl pull` can read them); older
/// ones are released as newer ones succeed. Kept in memory: after a restart no job is retained.
struct RetainedJobs: Sendable {
    /// How many succeeded jobs keep their variables on the shards.
    let limit: Int
    /// Retained jobs, oldest first, with the shards that hold them.
    private(set) var jobs: [(id: JobID, shards: [ShardTarget])] = []

    init(limit: Int) { self.limit = max(0, limit) }

    /// Keeps a job that succeeded; returns the `.dropJob` actions for the jobs that no longer fit. A job in `served`
    /// leaves the list without a drop: its replicas keep it on its shards until it is unserved or deleted.
    mutating func retain(_ id: JobID, shards: [ShardTarget], served: Set<JobID> = []) -> [CoordinatorAction] {
        jobs.append((id, shards))
        guard jobs.count > limit else { return [] }
        let released = jobs.prefix(jobs.count - limit)
        jobs.removeFirst(released.count)
        return released.filter { !served.contains($0.id) }.map { .dropJob($0.id, shards: $0.shards) }
    }

    /// Whether the job's variables are kept for it.
    func contains(_ id: JobID) -> Bool { jobs.contains { $0.id == id } }

    /// Stops keeping a deleted job: the `.dropJob` for the shards that still hold it, if any do.
    mutating func release(_ id: JobID) -> [CoordinatorAction] {
        guard let index = jobs.firstIndex(where: { $0.id == id }) else { return [] }
        let job = jobs.remove(at: index)
        return [.dropJob(job.id, shards: job.shards)]
    }
}
