extension Coordinator {
    /// Forgets a job: its record leaves the coordinator (and the store with the next save). A PENDING or RUNNING job
    /// is refused (`.invalidState`) unless `force`, which cancels it first. Returns the record as it was last and
    /// what the runtime must do: the cancellation's actions, `.jobDeleted`, then the release of the variables a
    /// succeeded job kept on its shards.
    public mutating func delete(_ id: JobID, force: Bool, now: Double) throws(CoordinatorError) -> (JobRecord, [CoordinatorAction]) {
        var job = try existing(id)
        var actions: [CoordinatorAction] = []
        if !job.state.isTerminal {
            guard force else {
                throw CoordinatorError(.invalidState, "\(id) is \(job.state.rawValue); cancel it first, or delete it with force (clusterctl delete --force)")
            }
            actions = end(&job, .cancelled, "cancelled by user before deletion", now: now, deleting: true)
        }
        records[id] = nil
        logger.info("job deleted", metadata: ["job": "\(id)", "state": "\(job.state.rawValue)"])
        actions += forget(job)
        return (job, actions)
    }

    /// Deletes the ended jobs beyond `config.jobRetention` (0 keeps every job), those that ended first going first
    /// (ties by id); returns a `.jobDeleted` action for each (and a `.dropJob` when its variables were kept on its
    /// shards). Jobs ending call it; call it after a restart.
    public mutating func applyRetention() -> [CoordinatorAction] { applyRetention(alsoEnding: 0) }

    /// Retention, counting `ending` more ended jobs than `records` holds (a job ending now, not stored yet: it ends
    /// last, so it is never among those deleted).
    mutating func applyRetention(alsoEnding ending: Int) -> [CoordinatorAction] {
        let limit = config.jobRetention
        guard limit > 0, records.endedCount + ending > limit else { return [] }
        let ended = records.values.filter { $0.state.isTerminal }
            .sorted { ($0.endedAt ?? $0.submittedAt, $0.id) < ($1.endedAt ?? $1.submittedAt, $1.id) }
        let excess = min(ended.count, ended.count + ending - limit)
        var actions: [CoordinatorAction] = []
        for job in ended.prefix(excess) {
            records[job.id] = nil
            actions += forget(job)
        }
        logger.info("ended jobs past the retention limit deleted", metadata: ["deleted": "\(excess)", "limit": "\(limit)"])
        return actions
    }

    /// What deleting a job leaves the runtime to do: `.jobDeleted` (which lets a checkpoint in flight finish first),
    /// then the release of the variables it kept on its shards.
    mutating func forget(_ job: JobRecord) -> [CoordinatorAction] {
        schedule.forget(job.id)
        replicaReports[job.id] = nil
        // A served succeeded job past the retained ones is kept on its shards by its replicas alone: drop it too.
        let keptByServing = job.state == .succeeded && (job.isServed || studyBest.values.contains(job.id)) && !retained.contains(job.id)
        return [.jobDeleted(job.id, shards: job.shards)] + (keptByServing ? [.dropJob(job.id, shards: job.shards)] : retained.release(job.id))
    }
}
