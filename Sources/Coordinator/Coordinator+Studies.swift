import JobSpec
import Tuning

extension Coordinator {
    // Studies: a study proposes trials (Tuning's `Study`), each trial runs as an ordinary job labelled with its study
    // (`JobRecord.study`); evaluations feed the study's early-stopping rule, job endings finish trials, and `tick`
    // starts the next trials. Trials queue with every other job in submission order; a study never holds more than
    // max_parallel_trials jobs at once.

    /// Most studies kept (running and ended); a new one past it is refused until some are deleted.
    public static let maxStudies = 10_000
    /// Most studies running at once (each holds up to max_parallel_trials jobs).
    public static let maxRunningStudies = 64
    /// The metrics a trial's evaluations carry (what a study may optimise).
    public static let studyMetrics = ["accuracy", "auc", "loss"]

    /// Accepts a study (already parsed and validated by `StudySpecParser`) and starts its first trials as PENDING jobs.
    public mutating func submitStudy(_ spec: StudySpec, now: Double) throws(CoordinatorError) -> (StudyRecord, [CoordinatorAction]) {
        guard Self.studyMetrics.contains(spec.metric) else {
            throw CoordinatorError(
                .invalidSpec, "trials report \(Self.studyMetrics.joined(separator: ", ")) on their test split; \"\(spec.metric)\" is never reported",
                path: "tuning.metric")
        }
        guard spec.base.training.evalEverySteps > 0 || spec.earlyStopping == .none else {
            throw CoordinatorError(
                .invalidSpec, "early stopping judges trials by their periodic evaluations: set training.eval_every_steps",
                path: "tuning.early_stopping")
        }
        do { try spec.base.validate() } catch { throw CoordinatorError(error) }
        try checkModelType(spec.base)
        try checkBudget(spec.base)
        guard studies.count < Self.maxStudies else {
            throw CoordinatorError(.resourceExhausted, "the coordinator keeps at most \(Self.maxStudies) studies; delete ended ones (clusterctl delete study-N)")
        }
        guard studies.running.count < Self.maxRunningStudies else {
            throw CoordinatorError(.resourceExhausted, "at most \(Self.maxRunningStudies) studies run at once; wait for one to end or cancel one")
        }
        guard nextStudyID >= 1, nextStudyID < UInt64(Int64.max) else {
            throw CoordinatorError(.resourceExhausted, "study ids are exhausted (next id \(nextStudyID)); the coordinator's store needs attention")
        }
        let id = StudyID(nextStudyID)
        nextStudyID += 1
        studies[id] = StudyRecord(id: id, study: Study(spec: spec), submittedAt: now)
        logger.info("study submitted", metadata: ["study": "\(id)", "name": "\(spec.name)", "max_trials": "\(spec.maxTrials)"])
        let actions = advanceStudy(id, now: now)
        return (studies[id]!, actions)
    }

    /// One study.
    public func study(_ id: StudyID) -> StudyRecord? { studies[id] }

    /// Studies, newest first, at most `limit`; with how many there are.
    public func studyList(limit: Int) -> (studies: [StudyRecord], total: Int) {
        let ids = studies.keys.sorted(by: >).prefix(max(0, limit))
        return (ids.compactMap { studies[$0] }, studies.count)
    }

    /// Cancels a running study: pending trials never start, running trials' jobs are cancelled (their workers freed at
    /// once). Cancelling a cancelled study does nothing; cancelling another ended one is an error.
    public mutating func cancelStudy(_ id: StudyID, now: Double) throws(CoordinatorError) -> [CoordinatorAction] {
        guard var record = studies[id] else { throw CoordinatorError(.unknownJob, "no study \(id)") }
        if record.state == .cancelled { return [] }
        guard record.state == .running else {
            throw CoordinatorError(.invalidState, "\(id) already ended (\(record.state.rawValue)); nothing to cancel")
        }
        let running = record.study.endUnfinished(reason: "the study was cancelled")
        record.state = .cancelled
        record.reason = "cancelled by user"
        record.endedAt = now
        studies[id] = record
        logger.info("study cancelled", metadata: ["study": "\(id)", "running_trials": "\(running.count)"])
        var actions: [CoordinatorAction] = []
        for number in running {
            guard let job = jobOfTrial(record, number), !(records[job]?.state.isTerminal ?? true) else { continue }
            actions += (try? cancel(job, reason: "its study \(id) was cancelled", now: now)) ?? []
        }
        return actions
    }

    /// Forgets an ended study (its trials' jobs stay); a running one is refused unless `force`, which cancels it first.
    public mutating func deleteStudy(_ id: StudyID, force: Bool, now: Double) throws(CoordinatorError) -> (StudyRecord, [CoordinatorAction]) {
        guard let record = studies[id] else { throw CoordinatorError(.unknownJob, "no study \(id)") }
        var actions: [CoordinatorAction] = []
        if record.state == .running {
            guard force else { throw CoordinatorError(.invalidState, "\(id) is RUNNING; cancel it first, or delete it with force") }
            actions = try cancelStudy(id, now: now)
        }
        let last = studies[id] ?? record
        studies.remove(id)
        actions += releaseBest(of: id, keeping: nil)
        logger.info("study deleted", metadata: ["study": "\(id)"])
        return (last, actions)
    }

    /// Starts the next trials of every running study and ends the studies that are done (called by `tick`).
    mutating func advanceStudies(now: Double) -> [CoordinatorAction] {
        studies.running.flatMap { advanceStudy($0, now: now) }
    }

    /// Reconciles a running study with its trials' jobs (a job deleted, or ended while the study was not told), starts
    /// the trials it proposes now (each an ordinary job), and ends the study once every trial has ended.
    mutating func advanceStudy(_ id: StudyID, now: Double) -> [CoordinatorAction] {
        guard var record = studies[id], record.state == .running else { return [] }
        var actions: [CoordinatorAction] = []
        for trial in record.study.trials where trial.state == .running {
            guard let jobID = jobOfTrial(record, trial.number), let job = records[jobID] else {
                try? record.study.finish(trial: trial.number, succeeded: false, reason: "its job \(trial.jobID ?? "?") was deleted")
                continue
            }
            if job.state.isTerminal { finishTrial(&record, trial.number, job: job) }
        }
        for trial in record.study.nextTrials(capacity: record.study.spec.maxParallelTrials) {
            do {
                let spec = try record.study.spec.trialSpec(for: trial.assignment, number: trial.number)
                var job = try submit(spec, now: now)
                job.study = TrialRef(study: id, trial: trial.number)
                records[job.id] = job
                try record.study.start(trial: trial.number, jobID: job.id.description)
                actions.append(.trialStarted(job.id, study: record.name))
                logger.info("trial started", metadata: ["study": "\(id)", "trial": "\(trial.number)", "job": "\(job.id)"])
            } catch {
                try? record.study.finish(trial: trial.number, succeeded: false, reason: "its job was refused: \(error)")
                logger.notice("trial refused", metadata: ["study": "\(id)", "trial": "\(trial.number)", "error": "\(error)"])
            }
        }
        if record.study.isDone {
            let metric = record.study.spec.metric
            if let best = record.study.best, let value = best.objective(goal: record.study.spec.goal) {
                record.state = .succeeded
                record.reason = "\(record.study.trials.count) trials; best: trial \(best.number) (\(best.jobID ?? "-")) \(metric) \(Self.fourDecimals(value))"
            } else {
                record.state = .failed
                record.reason = "\(record.study.trials.count) trials; none succeeded with a \(metric)"
            }
            record.endedAt = now
            logger.info("study ended", metadata: ["study": "\(id)", "state": "\(record.state.rawValue)", "reason": "\(record.reason)"])
        }
        studies[id] = record
        return actions
    }

    /// A trial job's evaluation: a running trial records it and may be stopped early (its job is cancelled at once,
    /// freeing its workers); a succeeded trial takes it as its final value (the chief's last evaluation may follow the end).
    mutating func trialEvaluated(_ job: JobRecord, _ point: MetricPoint, now: Double) -> [CoordinatorAction] {
        guard let ref = job.study, var record = studies[ref.study], record.state == .running,
            let value = Self.studyValue(record.study.spec.metric, in: point)
        else { return [] }
        if job.state == .succeeded {
            record.study.amendFinal(trial: ref.trial, step: point.step, value: value)
            studies[ref.study] = record
            return updateBest(ref.study)
        }
        guard !job.state.isTerminal, let decision = try? record.study.record(trial: ref.trial, step: point.step, metric: value) else {
            studies[ref.study] = record
            return []
        }
        studies[ref.study] = record
        logger.info("trial stopped early", metadata: ["study": "\(ref.study)", "trial": "\(ref.trial)", "reason": "\(decision.reason)"])
        return (try? cancel(job.id, reason: "stopped early by \(ref.study): \(decision.reason)", now: now)) ?? []
    }

    /// A trial job ended (called from `end`): the trial succeeds with the job's latest evaluation, or fails with why,
    /// and the study's next trials start; returns the drop of the previous best trial's variables when this one
    /// replaced it, and the new trials.
    mutating func trialJobEnded(_ job: JobRecord, now: Double) -> [CoordinatorAction] {
        guard let ref = job.study, var record = studies[ref.study], record.state == .running else { return [] }
        finishTrial(&record, ref.trial, job: job)
        studies[ref.study] = record
        // The next trial starts now (its job queues at once), not at the next tick.
        return updateBest(ref.study) + advanceStudy(ref.study, now: now)
    }

    /// Jobs whose variables stay on their shards apart from the retained ones: served jobs and studies' best trials.
    var keptOnShards: Set<JobID> { records.served.union(studyBest.values) }

    /// Follows a study's best trial; the previous best's variables are dropped unless something else keeps them.
    mutating func updateBest(_ id: StudyID) -> [CoordinatorAction] {
        let best = studies[id]?.study.best?.jobID.flatMap(JobID.init(parsing:))
        guard studyBest[id] != best else { return [] }
        return releaseBest(of: id, keeping: best)
    }

    /// Replaces a study's kept best job with `keeping` (nil: none); the old one is dropped from its shards when it is
    /// neither retained, served, another study's best, nor active.
    mutating func releaseBest(of id: StudyID, keeping: JobID?) -> [CoordinatorAction] {
        let old = studyBest[id]
        studyBest[id] = keeping
        guard let old, old != keeping, !retained.contains(old), !keptOnShards.contains(old),
            let job = records[old], job.state == .succeeded, !job.shards.isEmpty
        else { return [] }
        return [.dropJob(old, shards: job.shards)]
    }

    func finishTrial(_ record: inout StudyRecord, _ number: Int, job: JobRecord) {
        switch job.state {
        case .succeeded:
            let value = job.evaluation.flatMap { Self.studyValue(record.study.spec.metric, in: $0) }
            try? record.study.finish(trial: number, succeeded: true, finalValue: value)
        case .failed: try? record.study.finish(trial: number, succeeded: false, reason: "its job failed: \(job.reason)")
        case .cancelled: try? record.study.finish(trial: number, succeeded: false, reason: "its job was cancelled: \(job.reason)")
        case .pending, .running: break
        }
    }

    /// The job running trial `number` of a study, when it has one.
    func jobOfTrial(_ record: StudyRecord, _ number: Int) -> JobID? {
        guard number >= 1, number <= record.study.trials.count else { return nil }
        return record.study.trials[number - 1].jobID.flatMap(JobID.init(parsing:))
    }

    /// A metric value as a sentence shows it ("0.9712").
    static func fourDecimals(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded() / 10_000
        return scaled.isFinite ? "\(scaled)" : "\(value)"
    }

    /// The study metric's value in an evaluation point.
    static func studyValue(_ metric: String, in point: MetricPoint) -> Double? {
        let value: Double? = switch metric {
        case "accuracy": point.accuracy
        case "auc": point.auc
        case "loss": point.loss
        default: nil
        }
        return value.flatMap { $0.isFinite ? $0 : nil }
    }
}
