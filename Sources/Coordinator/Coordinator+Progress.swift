extension Coordinator {
    /// A worker's progress report: updates the job's figures and history; returns `.stop` once the job must stop
    /// (max_steps or stop_at reached, cancelled, failed, or the worker holds no task of the job, e.g. because
    /// its task was handed to another worker while it was judged dead).
    public mutating func report(_ id: JobID, worker: NodeID, progress: WorkerProgress, now: Double) throws(CoordinatorError) -> Directive {
        try progress.validate()
        var job = try existing(id)
        if job.state.isTerminal { return .stop(job.reason.isEmpty ? "job \(job.state.rawValue)" : job.reason) }
        guard let index = reclaimSlot(of: worker, in: &job) else {
            // Its task was handed to another worker (it was judged dead), or it never had one.
            return .stop("\(worker) has no task in \(id)")
        }
        job.workers[index].progress = progress
        job.workers[index].lastReportAt = now
        aggregate(&job, now: now)
        if !job.isStopping { _ = checkStopConditions(&job, now: now) }
        records[id] = job
        return job.isStopping ? .stop(job.reason) : .continue
    }

    /// The shards' applied-update count (version) for the job; the job step is the largest reported.
    public mutating func recordShardVersion(_ id: JobID, version: Int, now: Double) throws(CoordinatorError) -> [CoordinatorAction] {
        guard version >= 0 else { throw CoordinatorError(.invalidReport, "shard version must be ≥ 0, got \(version)") }
        var job = try existing(id)
        guard !job.state.isTerminal, version > job.step else { return [] }
        job.step = version
        let actions = job.isStopping ? [] : checkStopConditions(&job, now: now)
        records[id] = job
        return actions
    }

    /// The shards' figures for the job, polled by the runtime (ShardStatus): they become the job's `step` (highest
    /// shard version), `stale_dropped` and steps/s (version delta between polls at least half a second apart);
    /// may reach max_steps.
    public mutating func recordShardSample(_ id: JobID, _ sample: ShardSample, now: Double) throws(CoordinatorError) -> [CoordinatorAction] {
        guard sample.version >= 0, sample.staleDropped >= 0, sample.time.isFinite else {
            throw CoordinatorError(.invalidReport, "shard sample with version \(sample.version), stale_dropped \(sample.staleDropped) at \(sample.time)")
        }
        var job = try existing(id)
        guard !job.state.isTerminal else { return [] }
        if let previous = job.shardSample {
            let dt = sample.time - previous.time
            guard dt >= 0.5 || sample.version < previous.version else {
                // Too close to the last sample for a rate: keep the figures, not the time base.
                job.step = max(job.step, sample.version)
                job.staleDropped = max(job.staleDropped, sample.staleDropped)
                let actions = job.isStopping ? [] : checkStopConditions(&job, now: now)
                records[id] = job
                return actions
            }
            if sample.version >= previous.version, previous.version >= 0, dt > 0 {
                job.stepsPerSecond = Double(sample.version - previous.version) / dt
            }
        }
        job.shardSample = sample
        job.step = max(job.step, sample.version)
        job.staleDropped = max(job.staleDropped, sample.staleDropped)
        let actions = job.isStopping ? [] : checkStopConditions(&job, now: now)
        records[id] = job
        return actions
    }

    /// A worker pushed its last gradient and only evaluates or waits from now on: a sync job stops counting it as a
    /// live replica (so the others never wait for its gradients); returns the effective-replica change, if any.
    public mutating func workerDoneTraining(_ id: JobID, worker: NodeID, now: Double) throws(CoordinatorError) -> [CoordinatorAction] {
        var job = try existing(id)
        guard !job.state.isTerminal, let index = currentSlot(of: worker, in: job) else { return [] }
        guard job.workers[index].trainingDone != true else { return [] }
        job.workers[index].trainingDone = true
        logger.info("worker done training", metadata: ["job": "\(id)", "index": "\(index)"])
        let actions = refreshEffectiveReplicas(&job, now: now)
        records[id] = job
        return actions
    }

    /// The shards' total of dropped stale gradients for the job.
    public mutating func recordStaleDropped(_ id: JobID, total: Int) throws(CoordinatorError) {
        var job = try existing(id)
        job.staleDropped = max(job.staleDropped, total)
        records[id] = job
    }

    /// The chief's evaluation on the test split at a job step; may reach the stop_at target.
    /// Accepted after the job succeeded too (the final evaluation), without changing its state.
    public mutating func reportEvaluation(_ id: JobID, metrics: EvaluationMetrics, step: Int, now: Double) throws(CoordinatorError) -> [CoordinatorAction] {
        guard step >= 0, metrics.count >= 0 else {
            throw CoordinatorError(.invalidReport, "evaluation at step \(step) over \(metrics.count) examples: both must be ≥ 0")
        }
        var job = try existing(id)
        let point = MetricPoint(source: .evaluation, step: step, time: now, loss: metrics.loss, accuracy: metrics.accuracy, auc: metrics.auc)
        job.evaluation = point
        appendHistory(point, to: &job)
        var actions: [CoordinatorAction] = []
        if !job.state.isTerminal, !job.isStopping, let target = job.spec.training.stopAt,
            let observed = value(of: target.metric, in: point), target.isReached(by: observed)
        {
            actions = beginStop(&job, "reached \(target.metric.rawValue) \(observed) (target \(target.value)) at step \(step)", now: now)
        }
        records[id] = job
        actions += trialEvaluated(job, point, now: now)
        return actions
    }

    /// A worker finished its task (epochs done or told to stop); the job SUCCEEDS once every task is done.
    public mutating func workerFinished(_ id: JobID, worker: NodeID, final progress: WorkerProgress?, now: Double) throws(CoordinatorError) -> [CoordinatorAction] {
        var job = try existing(id)
        if job.state.isTerminal { return [] }
        guard job.state == .running else {
            throw CoordinatorError(.invalidState, "\(id) is \(job.state.rawValue); a worker cannot finish before it runs")
        }
        guard let index = reclaimSlot(of: worker, in: &job) else {
            throw CoordinatorError(.invalidNode, "\(worker) has no task in \(id)")
        }
        if let progress {
            try progress.validate()
            job.workers[index].progress = progress
            job.workers[index].lastReportAt = now
        }
        job.workers[index].state = .finished
        aggregate(&job, now: now)
        var actions = completeIfDone(&job, now: now)
        actions += refreshEffectiveReplicas(&job, now: now)
        records[id] = job
        return actions
    }

    /// A worker's task failed with `message`. When `lostShard` (the worker's structured report) names one of the
    /// job's shards and the job has a checkpoint, the job goes to RECOVERING and the task is handed back; otherwise
    /// the job fails with the message.
    public mutating func workerFailed(
        _ id: JobID, worker: NodeID, message: String, lostShard: String? = nil, now: Double
    ) throws(CoordinatorError) -> [CoordinatorAction] {
        var job = try existing(id)
        if job.state.isTerminal { return [] }
        guard let index = currentSlot(of: worker, in: job) ?? job.workers.firstIndex(where: { $0.lastNode == worker }) else {
            throw CoordinatorError(.invalidNode, "\(worker) has no task in \(id)")
        }
        let name = membership.node(worker)?.info.name ?? "\(worker)"
        // A shard that died, lost the job (restarted psd) or was rolled back is recovered from the checkpoint,
        // not a reason to fail: the runtime checks every shard and restores what is missing.
        if job.recovering == nil, job.state == .running, job.checkpoint != nil, (job.recoveries ?? 0) < Self.maxRecoveries,
            let lostShard, isShard(lostShard, of: job)
        {
            job.recovering = "\(name) lost a shard of the job: \(message)"
            job.recoveries = (job.recoveries ?? 0) + 1
        }
        if job.recovering != nil {
            handBack(&job, worker: worker)
            records[id] = job
            logger.notice("task handed back while the job recovers", metadata: ["job": "\(id)", "worker": "\(name)", "error": "\(message)"])
            return []
        }
        let actions = end(&job, .failed, "worker \(index) (\(name)) failed: \(message)", now: now)
        records[id] = job
        return actions
    }

    /// Recoveries after which a worker failure fails the job again (a failure that recovery does not cure).
    static let maxRecoveries = 20

    /// Whether `address` (control or data plane) belongs to one of the job's shards.
    func isShard(_ address: String, of job: JobRecord) -> Bool {
        job.shards.contains { shard in
            shard.address == address || membership.node(shard.nodeID)?.info.dataAddress == address
        }
    }

    /// Node and job counts.
    public func status() -> ClusterStatus {
        var status = ClusterStatus()
        for node in membership.nodes() {
            switch node.info.role {
            case .ps: status.ps.add(node.state)
            case .worker: status.workers.add(node.state)
            }
        }
        let busy = Set(records.values.filter { !$0.state.isTerminal }.flatMap { $0.workers.compactMap { $0.state == .assigned ? $0.node : nil } })
        status.busyWorkers = busy.count
        for job in records.values { status.jobs.add(job.state) }
        return status
    }

    // MARK: Internals

    /// Recomputes the job's step fallback, samples, epoch, throughput and training figures from its slots.
    func aggregate(_ job: inout JobRecord, now: Double) {
        let reports = job.workers.compactMap(\.progress)
        guard !reports.isEmpty else { return }
        // Reports are validated (non-negative) on arrival; the sums saturate instead of trapping.
        let steps = reports.map(\.workerStep)
        let fallback = job.spec.training.mode == .sync ? steps.max() ?? 0 : Saturating.sum(steps)
        job.step = max(job.step, fallback)
        job.samples = Saturating.sum(reports.map(\.samples))
        let training = job.workers.filter { $0.state == .assigned }.compactMap(\.progress)
        job.epoch = (training.isEmpty ? reports : training).map(\.epoch).min() ?? 0
        if job.shardSample == nil {
            // Until the shards were polled, the workers' own rates (sum) stand in.
            let rates = reports.compactMap(\.stepsPerSecond)
            job.stepsPerSecond = rates.isEmpty ? nil : rates.reduce(0, +)
        }
        let accuracies = reports.compactMap(\.accuracy)
        let point = MetricPoint(
            source: .training, step: job.step, time: now, loss: reports.map(\.loss).reduce(0, +) / Double(reports.count),
            accuracy: accuracies.isEmpty ? nil : accuracies.reduce(0, +) / Double(accuracies.count),
            stepsPerSecond: job.stepsPerSecond)
        job.training = point
        appendHistory(point, to: &job)
    }

    /// Appends `point` to the job's history. A training point replaces the history's last point when that one is a
    /// training point of the same `trainingPointInterval` (both are means over every worker's latest report; the newer
    /// one wins), so a job keeps at most one per interval however many workers report. Each source keeps its newest
    /// `metricHistoryLimit` points, so training points never push the chief's evaluations out.
    func appendHistory(_ point: MetricPoint, to job: inout JobRecord) {
        if point.source == .training, let last = job.history.last, last.source == .training,
            Self.sameInterval(last.time, point.time, config.trainingPointInterval)
        {
            job.history[job.history.count - 1] = point
            return
        }
        job.history.append(point)
        let sameSource = job.history.reduce(0) { $1.source == point.source ? $0 + 1 : $0 }
        var excess = sameSource - config.metricHistoryLimit
        guard excess > 0 else { return }
        job.history.removeAll { old in
            guard excess > 0, old.source == point.source else { return false }
            excess -= 1
            return true
        }
    }

    /// Whether two coordinator times fall in the same interval of `seconds` (counted from time 0; never for 0 s or
    /// times too large to bucket).
    static func sameInterval(_ a: Double, _ b: Double, _ seconds: Double) -> Bool {
        guard seconds > 0 else { return false }
        let (x, y) = ((a / seconds).rounded(.down), (b / seconds).rounded(.down))
        return x.isFinite && x == y
    }

    func value(of metric: StopMetric, in point: MetricPoint) -> Double? {
        switch metric {
        case .accuracy: point.accuracy
        case .loss: point.loss
        case .auc: point.auc
        }
    }
}
