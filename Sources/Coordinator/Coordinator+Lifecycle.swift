extension Coordinator {
    // The lifecycle of a job: stop conditions, stopping, success, the effective replicas of sync jobs, the end.

    /// max_steps, or stop_at judged on training figures when the job has no periodic evaluation.
    mutating func checkStopConditions(_ job: inout JobRecord, now: Double) -> [CoordinatorAction] {
        let t = job.spec.training
        if let maxSteps = t.maxSteps, job.step >= maxSteps {
            return beginStop(&job, "reached max_steps \(maxSteps)", now: now)
        }
        if let target = t.stopAt, t.evalEverySteps == 0 {
            let recent = job.history.filter { $0.source == .training }.suffix(config.stopAtWindow)
            let values = recent.compactMap { value(of: target.metric, in: $0) }
            if values.count == config.stopAtWindow {
                let mean = values.reduce(0, +) / Double(values.count)
                if target.isReached(by: mean) {
                    return beginStop(
                        &job, "reached training \(target.metric.rawValue) \(mean) (target \(target.value)) at step \(job.step)",
                        now: now)
                }
            }
        }
        return []
    }

    /// Marks the job as stopping: workers get `.stop` and it succeeds once they finish (or the grace period ends).
    mutating func beginStop(_ job: inout JobRecord, _ reason: String, now: Double) -> [CoordinatorAction] {
        guard !job.isStopping, !job.state.isTerminal else { return [] }
        job.stopRequestedAt = now
        job.reason = reason
        logger.info("job stopping", metadata: ["job": "\(job.id)", "reason": "\(reason)"])
        var actions: [CoordinatorAction] = [.stopWorkers(job.id, workers: runningWorkers(job), reason: reason)]
        actions += completeIfDone(&job, now: now)
        return actions
    }

    /// SUCCEEDED when every task finished, or when stopping and no task is still held by a live worker.
    mutating func completeIfDone(_ job: inout JobRecord, now: Double) -> [CoordinatorAction] {
        guard job.state == .running else { return [] }
        let allFinished = job.workers.allSatisfy { $0.state == .finished }
        let noneRunning = job.workers.allSatisfy { $0.state != .assigned }
        if allFinished {
            let t = job.spec.training
            let reason = job.isStopping ? job.reason : t.epochs.map { "completed \($0) epoch(s)" } ?? "all workers finished"
            return end(&job, .succeeded, reason, now: now)
        }
        if job.isStopping, noneRunning { return end(&job, .succeeded, job.reason, now: now) }
        return []
    }

    /// Sync jobs: aggregate min(replicas_to_aggregate, live workers still training), at least 1.
    func refreshEffectiveReplicas(_ job: inout JobRecord, now: Double) -> [CoordinatorAction] {
        guard job.spec.training.mode == .sync, job.state == .running else { return [] }
        let joining = now < (job.joinGraceUntil ?? -.infinity)
        let live = job.workers.filter {
            ($0.state == .assigned && $0.trainingDone != true && $0.node.map(membership.isLive) == true)
                || (joining && $0.state == .vacant && ($0.lastNode == nil || $0.lastNode.map(membership.isLive) == true))
        }.count
        let wanted = max(1, min(job.spec.training.replicasToAggregate, live))
        guard wanted != job.effectiveReplicas else { return [] }
        logger.info("effective replicas changed", metadata: ["job": "\(job.id)", "from": "\(job.effectiveReplicas)", "to": "\(wanted)"])
        job.effectiveReplicas = wanted
        return [.setEffectiveReplicas(job.id, replicas: wanted, shards: job.shards)]
    }

    /// Moves a job to a terminal state and lists what the runtime must do: a succeeded job is checkpointed a last time
    /// (after the checkpoint in flight, if any) and keeps its variables on the shards (`RetainedJobs`; older retained
    /// jobs are dropped), another one is dropped from its shards; ended jobs past `jobRetention` are deleted (unless
    /// `deleting`: the job itself is being deleted).
    mutating func end(_ job: inout JobRecord, _ state: JobState, _ reason: String, now: Double, deleting: Bool = false) -> [CoordinatorAction] {
        guard !job.state.isTerminal else { return [] }
        let running = runningWorkers(job)
        job.state = state
        job.reason = reason
        job.endedAt = now
        logger.info("job ended", metadata: ["job": "\(job.id)", "state": "\(state.rawValue)", "reason": "\(reason)"])
        var actions: [CoordinatorAction] = []
        if !running.isEmpty { actions.append(.stopWorkers(job.id, workers: running, reason: reason)) }
        // A trial's end first: when it becomes its study's best, its variables stay for `export study-N`.
        actions += trialJobEnded(job, now: now)
        if job.placement != nil {
            if state == .succeeded {
                if schedule.inFlight(job.id) != nil {
                    schedule.waitForFinal(job.id)
                } else {
                    schedule.begin(job.id, .final)
                    actions.append(.checkpoint(job.id, reason: .final))
                }
                if !deleting { actions += retained.retain(job.id, shards: job.shards, served: keptOnShards) }
            } else {
                actions.append(.dropJob(job.id, shards: job.shards))
            }
        }
        if state != .succeeded, job.serving?.nodes.isEmpty == false {
            job.serving?.nodes = []  // its variables are gone: the workers stop its replicas at their next sync
            replicaReports[job.id] = nil
        }
        if schedule.inFlight(job.id) == nil { schedule.forget(job.id) }
        actions.append(.jobEnded(job.id, state: state, reason: reason))
        // The job is still active in `records` (the caller stores it): it counts as one more ended job.
        if !deleting { actions += applyRetention(alsoEnding: 1) }
        return actions
    }

    /// The workers holding a task of the job.
    func runningWorkers(_ job: JobRecord) -> [NodeID] {
        job.workers.compactMap { $0.state == .assigned ? $0.node : nil }
    }
}
