extension Coordinator {
    /// A worker's report, whole: a failure fails the job (or hands the task back while the job recovers); otherwise
    /// the shards' version, the training figures, an evaluation, the end of the worker's training and its finish are
    /// recorded in that order. Answers whether the worker must stop and (for a chief done training) whether its peers
    /// finished; the actions start with the report's TensorBoard scalars (`.writeSummaries`).
    public mutating func receive(_ report: WorkerReport, now: Double) throws(CoordinatorError) -> ReportOutcome {
        let id = report.job
        var job = try existing(id)
        if report.totalSteps > 0 { job.totalSteps = report.totalSteps }
        if let evaluation = report.evaluation { job.evaluationCount = max(0, evaluation.count) }
        records[id] = job
        var actions: [CoordinatorAction] = []
        var directive = Directive.continue
        var peersFinished = false
        if let failure = report.failure {
            actions += try workerFailed(id, worker: report.worker, message: failure, lostShard: report.failureShard, now: now)
            directive = .stop(failure)
        } else {
            (directive, peersFinished) = try record(report, actions: &actions, now: now)
        }
        if let job = records[id] { actions.insert(.writeSummaries(id, step: job.step, scalars: summaries(report, job)), at: 0) }
        return ReportOutcome(directive: directive, peersFinished: peersFinished, actions: actions)
    }

    /// The figures of a report without a failure.
    private mutating func record(
        _ report: WorkerReport, actions: inout [CoordinatorAction], now: Double
    ) throws(CoordinatorError) -> (Directive, Bool) {
        let id = report.job
        let progress = report.train == nil ? nil : report.progress
        if report.shardVersion > 0 {
            actions += try recordShardVersion(id, version: report.shardVersion, now: now)
        }
        var directive = Directive.continue
        if let progress {
            directive = try self.report(id, worker: report.worker, progress: progress, now: now)
        } else if let job = records[id], job.isStopping || job.state.isTerminal {
            directive = .stop(job.reason)
        }
        if let evaluation = report.evaluation {
            actions += try reportEvaluation(id, metrics: evaluation, step: report.shardVersion, now: now)
        }
        if report.trainingDone || report.finished {
            actions += try workerDoneTraining(id, worker: report.worker, now: now)
        }
        if report.finished {
            actions += try workerFinished(id, worker: report.worker, final: progress, now: now)
        }
        // Only a chief that is done training waits for its peers (TaskRunner); other reports need no answer.
        let peersFinished = report.trainingDone && self.peersFinished(id, except: report.worker)
        if let job = records[id], job.state.isTerminal, case .continue = directive, !report.finished {
            directive = .stop("\(id) is \(job.state.rawValue)" + (job.reason.isEmpty ? "" : ": \(job.reason)"))
        }
        return (directive, peersFinished)
    }

    /// The TensorBoard scalars of a report: training and evaluation figures, the worker's rate and stale drops, and a
    /// sync job's effective replicas.
    func summaries(_ report: WorkerReport, _ job: JobRecord) -> [SummaryScalar] {
        var values: [SummaryScalar] = []
        if let train = report.train {
            values.append(SummaryScalar("train/loss", train.loss))
            if let accuracy = train.accuracy { values.append(SummaryScalar("train/accuracy", accuracy)) }
        }
        if let evaluation = report.evaluation {
            values.append(SummaryScalar("eval/loss", evaluation.loss))
            if let accuracy = evaluation.accuracy { values.append(SummaryScalar("eval/accuracy", accuracy)) }
            if let auc = evaluation.auc { values.append(SummaryScalar("eval/auc", auc)) }
        }
        if report.stepsPerSecond > 0 { values.append(SummaryScalar("worker/steps_per_second", report.stepsPerSecond)) }
        values.append(SummaryScalar("worker/stale_dropped", Double(report.staleDropped)))
        if job.spec.training.mode == .sync { values.append(SummaryScalar("job/effective_replicas", Double(job.effectiveReplicas))) }
        return values
    }
}
