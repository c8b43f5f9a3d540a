/// The median stopping rule (Golovin et al., Google Vizier, 2017): trial t stops at step s when its best value so far
/// is worse than the median of the other trials' running averages up to s, counting only trials that reached s, once
/// s ≥ `minSteps` and at least `minTrials` such trials exist.
public struct MedianStopping: EarlyStopper {
    /// The metric's name (for the reason sentence).
    public let metric: String
    /// Larger or smaller is better.
    public let goal: Goal
    /// No trial is judged before this step.
    public let minSteps: Int
    /// Trials that must have reached the step before a trial is judged at it.
    public let minTrials: Int

    /// Creates the rule.
    public init(metric: String, goal: Goal, minSteps: Int, minTrials: Int) {
        self.metric = metric
        self.goal = goal
        self.minSteps = minSteps
        self.minTrials = minTrials
    }

    /// Stop when the trial's best so far is worse than the median running average of the trials that reached its step.
    public func decide(_ curve: TrialCurve, others: [TrialCurve]) -> StopDecision? {
        guard let last = curve.points.last, last.step >= minSteps, let best = curve.best(upTo: last.step, goal: goal) else { return nil }
        var averages: [Double] = []
        for other in others where other.number != curve.number {
            guard let reached = other.points.last?.step, reached >= last.step else { continue }
            let upTo = other.points.filter { $0.step <= last.step }
            guard !upTo.isEmpty else { continue }
            averages.append(upTo.reduce(0) { $0 + $1.value / Double(upTo.count) })
        }
        guard averages.count >= minTrials, averages.count > 0 else { return nil }
        averages.sort()
        let mid = averages.count / 2
        let median = averages.count % 2 == 1 ? averages[mid] : (averages[mid - 1] + averages[mid]) / 2
        guard goal.isBetter(median, than: best) else { return nil }
        let side = goal == .maximize ? "below" : "above"
        return StopDecision(
            trial: curve.number, step: last.step,
            reason: "\(metric) \(shown(best)) (best by step \(last.step)) \(side) the median \(shown(median)) of \(averages.count) trials' running averages")
    }
}
