extension Coordinator {
    /// Forgets a job: its record leaves the coordinator (and the store with the next save). A PENDING or RUNNING job
    /// is refused (`.invalidState`) unless `force`, which cancels it first. Returns the record as it was last and
    /// what the runtime must do: the cancellation's actions, then `.jobDeleted`.
    public mutating func delete(_ id: JobID, force: Bool, now: Double) throws(CoordinatorError) -> (JobRecord, [CoordinatorAction]) {
        var job = try existing(id)
        var actions: [CoordinatorAction] = []
        if !job.state.isTerminal {
            guard force else {
                throw CoordinatorError(.invalidState, "\(id) is \(job.state.rawValue); cancel it first, or delete it with force (clusterctl delete --force)")
            }
            actions = end(&job, .cancelled, "cancelled by user before deletion", now: now)
        }
        records[id] = nil
        logger.info("job deleted", metadata: ["job": "\(id)", "state": "\(job.state.rawValue)"])
        actions.append(.jobDeleted(id, shards: job.shards))
        return (job, actions)
    }

    /// Deletes the ended jobs beyond `config.jobRetention` (0 keeps every job), those that ended first going first
    /// (ties by id); returns a `.jobDeleted` action for each. Call it whenever a job ended, and after a restart.
    public mutating func applyRetention() -> [CoordinatorAction] {
        let limit = config.jobRetention
        guard limit > 0, records.endedCount > limit else { return [] }
        let ended = records.values.filter { $0.state.isTerminal }
            .sorted { ($0.endedAt ?? $0.submittedAt, $0.id) < ($1.endedAt ?? $1.submittedAt, $1.id) }
        var actions: [CoordinatorAction] = []
        for job in ended.prefix(ended.count - limit) {
            records[job.id] = nil
            actions.append(.jobDeleted(job.id, shards: job.shards))
        }
        logger.info("ended jobs past the retention limit deleted", metadata: ["deleted": "\(actions.count)", "limit": "\(limit)"])
        return actions
    }
}
