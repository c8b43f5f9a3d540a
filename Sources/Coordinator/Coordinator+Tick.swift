extension Coordinator {
    /// The coordinator's clock: call it every `config.tickInterval` seconds. Once per heartbeat interval it sweeps
    /// liveness (`sweep`) and asks for the running jobs' shard counters (`.pollShards`); at every tick it starts the
    /// restore of recovering jobs (`.recover`, one at a time per job) and the periodic checkpoints that are due
    /// (`.checkpoint`, one in flight per job; a failed one is retried after a backoff).
    public mutating func tick(now: Double) -> [CoordinatorAction] {
        var actions: [CoordinatorAction] = []
        if sweepDue(now: now) {
            actions += sweep(now: now)
            let polls = shardPolls()
            if !polls.isEmpty { actions.append(.pollShards(polls)) }
        }
        actions += advanceStudies(now: now)
        for id in activeJobIDs() {
            guard let job = records[id], job.state == .running else { continue }
            if job.recovering != nil {
                if schedule.beginRestore(id) { actions.append(.recover(id)) }
            } else if job.placement != nil, schedule.inFlight(id) == nil, let reason = checkpointDue(job, now: now) {
                schedule.begin(id, reason)
                actions.append(.checkpoint(id, reason: reason))
            }
        }
        return actions
    }

    /// Whether a heartbeat interval passed since the last sweep (within 5 %: the wall clock may run a little slower
    /// than the runtime's sleeps). Sweeps keep their cadence when ticks come a little late, and restart from `now`
    /// after a pause or when the clock went back.
    mutating func sweepDue(now: Double) -> Bool {
        let interval = config.heartbeatInterval
        guard now + interval / 20 >= nextSweepAt || nextSweepAt - now > interval else { return false }
        let onCadence = nextSweepAt.isFinite && nextSweepAt - now <= interval && now - nextSweepAt < interval
        nextSweepAt = (onCadence ? nextSweepAt : now) + interval
        return true
    }

    /// The running jobs whose counters to read from their shards (placed, not recovering); with `only`, that job alone.
    public func shardPolls(only: JobID? = nil) -> [ShardPoll] {
        let ids = only.map { [$0] } ?? activeJobIDs()
        return ids.compactMap { records[$0] }
            .filter { $0.state == .running && $0.placement != nil && $0.recovering == nil }
            .map { ShardPoll(job: $0.id, shards: $0.shards) }
    }

    /// The polls to perform before `report` is received: a worker's last report may end the job, so its shards' final
    /// counters (steps, dropped stale gradients) are read first.
    public func shardPolls(before report: WorkerReport) -> [ShardPoll] {
        report.finished || report.trainingDone ? shardPolls(only: report.job) : []
    }

    /// The counters the runtime read from each polled job's shards (jobs without an answer left out): they become the
    /// job's step, dropped stale gradients and steps/s (see `recordShardSample`); may reach max_steps.
    public mutating func recordShardFigures(_ figures: [JobID: [ShardFigures]], now: Double) -> [CoordinatorAction] {
        var actions: [CoordinatorAction] = []
        for id in figures.keys.sorted() {
            guard let sample = ShardSample(combining: figures[id] ?? [], time: now) else { continue }
            actions += (try? recordShardSample(id, sample, now: now)) ?? []
        }
        return actions
    }
}
