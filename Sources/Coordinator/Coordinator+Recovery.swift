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

    /// The job's shards hold a consistent state again (the checkpoint at `version`, or the initial values).
    public mutating func recovered(_ id: JobID, version: Int?, now: Double) throws(CoordinatorError) {
        var job = try existing(id)
        guard job.recovering != nil else { return }
        job.recovering = nil
        job.joinGraceUntil = now + config.joinGrace
        logger.notice("job recovered", metadata: ["job": "\(id)", "version": "\(version.map(String.init) ?? "initial values")"])
        records[id] = job
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
