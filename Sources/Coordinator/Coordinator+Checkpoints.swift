extension Coordinator {
    /// Starts a checkpoint the runtime was asked for (`.requested`, `.shutdown`): the job must have placed variables
    /// and be RUNNING (not recovering: `.recovering`) or SUCCEEDED, and no other checkpoint of it may be in flight
    /// (`.busy`). Returns the job; report how it went with `checkpointFinished`.
    public mutating func beginCheckpoint(_ id: JobID, reason: CheckpointReason) throws(CoordinatorError) -> JobRecord {
        let job = try existing(id)
        guard job.placement != nil, job.state == .running || job.state == .succeeded else {
            throw CoordinatorError(.invalidState, "\(id) is \(job.state.rawValue) without placed variables: nothing to checkpoint")
        }
        guard job.recovering == nil else { throw CoordinatorError(.recovering, "\(id) is recovering; checkpoint it once it runs again") }
        guard schedule.inFlight(id) == nil else { throw CoordinatorError(.busy, "a checkpoint of \(id) is already being taken") }
        schedule.begin(id, reason)
        return job
    }

    /// A checkpoint (begun here or by a `.checkpoint` action) ended. A committed one becomes the job's latest (the
    /// store keeps it) and the older ones beyond `checkpoint.keep` are pruned (`.pruneCheckpoints`); a failed periodic
    /// one is tried again after a backoff (5 s, doubling up to 60 s). A final checkpoint that waited for this one
    /// starts now (`.checkpoint(_, .final)`).
    public mutating func checkpointFinished(_ id: JobID, reason: CheckpointReason, outcome: CheckpointOutcome, now: Double) -> [CoordinatorAction] {
        let finalWaiting = schedule.finish(id, reason: reason, outcome: outcome, now: now)
        var actions: [CoordinatorAction] = []
        if case .committed(let version, let path) = outcome, let job = records[id] {
            try? recordCheckpoint(id, version: version, path: path)
            actions.append(.pruneCheckpoints(id, keep: job.spec.training.checkpoint.keep))
        }
        if finalWaiting, records[id]?.state == .succeeded {
            schedule.begin(id, .final)
            actions.append(.checkpoint(id, reason: .final))
        }
        if records[id]?.state.isTerminal != false, schedule.inFlight(id) == nil { schedule.forget(id) }
        return actions
    }

    /// A checkpoint the shards finished writing (at `version`, manifest at `path`) becomes the job's latest.
    public mutating func recordCheckpoint(_ id: JobID, version: Int, path: String) throws(CoordinatorError) {
        var job = try existing(id)
        if version >= (job.checkpoint?.version ?? Int.min) { job.checkpoint = CheckpointInfo(version: version, path: path) }
        records[id] = job
    }

    /// Whether a checkpoint of the job is being taken (a deletion waits for it before removing the job's folder).
    public func checkpointInFlight(_ id: JobID) -> Bool { schedule.inFlight(id) != nil }

    /// Whether a running job is due a periodic checkpoint, and why: `every_steps` once the shards moved half an
    /// interval past the latest checkpoint (sync checkpoints land on the next multiple, so it is not missed),
    /// `every_seconds` once that long passed since the latest one (or the start); never before a failed one's retry time.
    func checkpointDue(_ job: JobRecord, now: Double) -> CheckpointReason? {
        if let retryAt = schedule.retryAt(job.id), now < retryAt { return nil }
        let policy = job.spec.training.checkpoint
        let last = job.checkpoint?.version ?? 0
        let step = job.shardSample?.version ?? job.step
        if let every = policy.everySteps {
            let (next, overflow) = last.addingReportingOverflow(max(1, every / 2))
            if !overflow, step >= next { return .everySteps }
        }
        if let seconds = policy.everySeconds {
            let since = schedule.committedAt(job.id) ?? job.startedAt ?? now
            if now - since >= seconds { return .everySeconds }
        }
        return nil
    }

    /// The step a sync job's checkpoint is taken at, given the versions its shards hold now: for `every_steps`, the
    /// next multiple of the interval; otherwise the shards' common version when they are idle at one (first attempt),
    /// or a few steps ahead of the fastest (more on each attempt) so every shard can still stop there. Nil when the
    /// step would pass UInt64.max (no shard counts that far).
    public static func checkpointStep(for job: JobRecord, reason: CheckpointReason, versions: [UInt64], attempt: Int) -> UInt64? {
        let highest = versions.max() ?? 0
        if reason == .everySteps, let every = job.spec.training.checkpoint.everySteps, every > 0 {
            let interval = UInt64(every)
            let (intervals, overflow) = (highest / interval).addingReportingOverflow(1)
            let (step, overflowed) = intervals.multipliedReportingOverflow(by: interval)
            return overflow || overflowed ? nil : step
        }
        if attempt <= 1, versions.min() == highest { return highest }
        let (step, overflow) = highest.addingReportingOverflow(UInt64(4) << UInt64(min(max(attempt, 1), 10)))
        return overflow ? nil : step
    }
}
