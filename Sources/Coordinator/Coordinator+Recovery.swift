extension Coordinator {
    /// Marks a running job as recovering (its shards lost their state: a restart): workers that fail meanwhile
    /// get their task back instead of failing the job, and the runtime restores the latest checkpoint.
    public mutating func markRecovering(_ id: JobID, reason: String, now: Double) throws(CoordinatorError) {
        var job = try existing(id)
        guard job.state == .running, job.recovering == nil else { return }
        job.recovering = reason
        logger.notice("job recovering", metadata: ["job": "\(id)", "reason": "\(reason)"])
        records[id] = job
    }

    /// The runtime's restore of a recovering job (`.recover`) ended: with an outcome the job's shards hold a consistent
    /// state again (logged once, here) and its workers may resume; `nil` when a shard did not answer yet, to be tried
    /// again on a later tick.
    public mutating func recoveryFinished(_ id: JobID, _ outcome: RecoveryOutcome?, now: Double) throws(CoordinatorError) {
        schedule.endRestore(id)
        guard let outcome else { return }
        var job = try existing(id)
        guard job.recovering != nil else { return }
        job.recovering = nil
        job.joinGraceUntil = now + config.joinGrace
        schedule.clearFailures(id)
        switch outcome {
        case .shardsIntact:
            logger.notice("job's shards still hold it; nothing to restore", metadata: ["job": "\(id)"])
        case .checkpoint(let version, let manifest):
            logger.notice("job restored from checkpoint", metadata: ["job": "\(id)", "version": "\(version)", "manifest": "\(manifest)"])
        case .initialValues:
            logger.warning("no usable checkpoint: the job continues from its initial values", metadata: ["job": "\(id)"])
        }
        records[id] = job
    }

    /// After a restart: fails the stored jobs this version cannot load, marks running jobs recovering (their shards are
    /// checked and restored on the next ticks) and deletes ended jobs past the retention limit. What the runtime must
    /// do for them waits in `takePendingActions()`.
    public mutating func prepareAfterRestart(now: Double) {
        pendingActions += failUnloadableJobs(now: now)
        markRunningJobsRecovering(now: now)
        pendingActions += applyRetention()
    }

    /// What the restore decided and the runtime has not performed yet (once: the list is emptied).
    public mutating func takePendingActions() -> [CoordinatorAction] {
        defer { pendingActions = [] }
        return pendingActions
    }

    /// Running jobs that need their shards restored: those marked recovering.
    public func recoveringJobs() -> [JobRecord] {
        activeJobs().filter { $0.state == .running && $0.recovering != nil }
    }

    /// After a coordinator restart: every job that was running with placed variables must be checked on its shards.
    public mutating func markRunningJobsRecovering(now: Double) {
        for job in activeJobs() where job.state == .running && job.placement != nil {
            try? markRecovering(job.id, reason: "the coordinator restarted", now: now)
        }
    }

    /// A worker failed while its job recovers: the task goes back to its slot (the same worker reclaims it).
    mutating func handBack(_ job: inout JobRecord, worker: NodeID) {
        for i in job.workers.indices where job.workers[i].node == worker && job.workers[i].state == .assigned {
            job.workers[i].node = nil
            job.workers[i].lastNode = worker
            job.workers[i].state = .vacant
        }
    }
}
