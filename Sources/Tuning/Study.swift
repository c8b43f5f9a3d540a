/// A study's state: its trials and what happened to them. A pure value type: the coordinator persists it (Codable),
/// asks it for trials to start, feeds it metric reports and job endings, and acts on the stop decisions it returns.
public struct Study: Sendable, Hashable {
    /// The study as submitted.
    public let spec: StudySpec
    /// Every trial proposed so far, by number (trial n is `trials[n − 1]`).
    public internal(set) var trials: [Trial]

    /// A study with no trials yet.
    public init(spec: StudySpec) {
        self.spec = spec
        trials = []
    }

    /// Trials to start now, at most `capacity`: pending ones first (proposed earlier but not started, e.g. before a
    /// restart), then new proposals, keeping pending + running ≤ max_parallel_trials and all trials ≤ max_trials.
    /// Finished trials are never proposed again.
    public mutating func nextTrials(capacity: Int) -> [Trial] {
        guard capacity > 0 else { return [] }
        var out = Array(trials.filter { $0.state == .pending }.prefix(capacity))
        let active = trials.count(where: { $0.state == .pending || $0.state == .running })
        var room = Swift.min(capacity - out.count, spec.maxParallelTrials - active, spec.maxTrials - trials.count)
        let algorithm = spec.searchAlgorithm
        let history = observations
        while room > 0, let assignment = algorithm.propose(number: trials.count + 1, history: history) {
            let trial = Trial(number: trials.count + 1, assignment: assignment)
            trials.append(trial)
            out.append(trial)
            room -= 1
        }
        return out
    }

    /// Marks a pending trial as running in job `jobID`.
    public mutating func start(trial number: Int, jobID: String) throws(StudyError) {
        let i = try index(of: number)
        guard trials[i].state == .pending else { throw StudyError("trial \(number) is \(trials[i].state.rawValue), not pending") }
        guard !jobID.isEmpty, jobID.utf8.count <= Self.jobIDBytes else {
            throw StudyError("a job id must be 1…\(Self.jobIDBytes) bytes, got \(jobID.utf8.count)")
        }
        trials[i].state = .running
        trials[i].jobID = jobID
    }

    /// Records a metric report of a running trial; returns the early-stopping decision when the rule stops it (the
    /// trial is then `stopped` with the reason, and its job should be cancelled). Reports at or before the trial's last
    /// step are ignored (a restarted worker may repeat one).
    @discardableResult
    public mutating func record(trial number: Int, step: Int, metric value: Double) throws(StudyError) -> StopDecision? {
        let i = try index(of: number)
        guard trials[i].state == .running else { throw StudyError("trial \(number) is \(trials[i].state.rawValue), not running") }
        guard TuningLimits.steps.contains(step) else {
            throw StudyError("step must be in 1…\(TuningLimits.steps.upper) (\(TuningLimits.steps.name)), got \(step)")
        }
        guard value.isFinite else { throw StudyError("metric value must be finite, got \(value)") }
        if let last = trials[i].points.last, step <= last.step { return nil }
        if trials[i].points.count >= TuningLimits.seriesPoints {
            let kept = trials[i].points.dropLast().enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            trials[i].points = kept + [trials[i].points[trials[i].points.count - 1]]
        }
        trials[i].points.append(MetricPoint(step: step, value: value))
        guard let stopper = spec.earlyStopper else { return nil }
        let curve = TrialCurve(number: number, points: trials[i].points)
        let others = trials.filter { $0.number != number && $0.state != .failed && !$0.points.isEmpty }
            .map { TrialCurve(number: $0.number, points: $0.points) }
        guard let decision = stopper.decide(curve, others: others) else { return nil }
        trials[i].state = .stopped
        trials[i].reason = decision.reason
        return decision
    }

    /// Ends a pending or running trial: succeeded (with its final metric, or nil to rank it by its last report) or
    /// failed with a reason. Ending a trial early stopping already stopped changes nothing.
    public mutating func finish(trial number: Int, succeeded: Bool, finalValue: Double? = nil, reason: String? = nil) throws(StudyError) {
        let i = try index(of: number)
        if trials[i].state == .stopped { return }
        guard !trials[i].state.isFinished else { throw StudyError("trial \(number) already \(trials[i].state.rawValue)") }
        if let finalValue, !finalValue.isFinite { throw StudyError("final metric value must be finite, got \(finalValue)") }
        trials[i].state = succeeded ? .succeeded : .failed
        trials[i].finalValue = succeeded ? finalValue : nil
        trials[i].reason = reason.map { String($0.prefix(Self.reasonBytes)) }
    }

    /// The best succeeded trial under the goal (nil before one succeeds).
    public var best: Trial? {
        ranked.first { $0.state == .succeeded && $0.objective(goal: spec.goal) != nil }
    }

    /// Whether the study is over: nothing pending or running, and max_trials reached or the search space used up.
    public var isDone: Bool {
        guard !trials.contains(where: { !$0.state.isFinished }) else { return false }
        if trials.count >= spec.maxTrials { return true }
        // Only a grid is ever used up; random and TPE propose until max_trials.
        guard spec.algorithm == .grid else { return false }
        return spec.searchAlgorithm.propose(number: trials.count + 1, history: observations) == nil
    }

    /// Trials for `describe`: those with a value best first (ties by number), then the rest by number.
    public var ranked: [Trial] {
        let goal = spec.goal
        return trials.sorted { a, b in
            switch (a.objective(goal: goal), b.objective(goal: goal)) {
            case (let x?, let y?): return x != y ? goal.isBetter(x, than: y) : a.number < b.number
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.number < b.number
            }
        }
    }

    /// Finished trials with a value, as the search algorithm sees them.
    public var observations: [Observation] {
        trials.compactMap { t in
            guard t.state == .succeeded || t.state == .stopped, let v = t.objective(goal: spec.goal) else { return nil }
            return Observation(assignment: t.assignment, value: v, stopped: t.state == .stopped)
        }
    }

    /// Longest job id a trial keeps.
    public static let jobIDBytes = 256
    /// Longest reason a trial keeps.
    public static let reasonBytes = 1024

    func index(of number: Int) throws(StudyError) -> Int {
        guard number >= 1, number <= trials.count else { throw StudyError("no trial \(number) (the study has \(trials.count))") }
        return number - 1
    }
}

extension Study {
    /// The final metric of a trial whose job already succeeded, when it arrives after the end (the chief's last
    /// evaluation may follow its job's end); ignored for any other trial or a non-finite value.
    public mutating func amendFinal(trial number: Int, step: Int, value: Double) {
        guard number >= 1, number <= trials.count, trials[number - 1].state == .succeeded, value.isFinite else { return }
        trials[number - 1].finalValue = value
        if TuningLimits.steps.contains(step), trials[number - 1].points.last.map({ step > $0.step }) ?? true,
            trials[number - 1].points.count < TuningLimits.seriesPoints
        {
            trials[number - 1].points.append(MetricPoint(step: step, value: value))
        }
    }

    /// Ends every pending and running trial as failed with `reason` (the study was cancelled); returns the numbers of
    /// the trials that were running (their jobs must be cancelled).
    @discardableResult
    public mutating func endUnfinished(reason: String) -> [Int] {
        var running: [Int] = []
        for i in trials.indices where !trials[i].state.isFinished {
            if trials[i].state == .running { running.append(trials[i].number) }
            trials[i].state = .failed
            trials[i].reason = String(reason.prefix(Self.reasonBytes))
        }
        return running
    }
}
