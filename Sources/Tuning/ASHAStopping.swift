/// Asynchronous successive halving (Li et al., ASHA, 2020) for trials that cannot pause: rungs at
/// minSteps·η^k; when a trial first reaches a rung, it goes on only if its best value so far is in the top ⌊n/η⌋ of the
/// n values every trial had on reaching that rung — at least the top one: with fewer than η trials there it goes on
/// only as the best so far (as Optuna's SuccessiveHalvingPruner; the paper's trials would wait to be promoted).
public struct ASHAStopping: EarlyStopper {
    /// The metric's name (for the reason sentence).
    public let metric: String
    /// Larger or smaller is better.
    public let goal: Goal
    /// The first rung.
    public let minSteps: Int
    /// η: the rungs' spacing factor and the share kept (1/η).
    public let reductionFactor: Int

    /// Creates the rule.
    public init(metric: String, goal: Goal, minSteps: Int, reductionFactor: Int) {
        self.metric = metric
        self.goal = goal
        self.minSteps = minSteps
        self.reductionFactor = reductionFactor
    }

    /// The rung steps up to `step`: minSteps, minSteps·η, … (stopping before an overflow).
    func rungs(upTo step: Int) -> [Int] {
        var out: [Int] = []
        var r = minSteps
        while r <= step {
            out.append(r)
            let (next, overflow) = r.multipliedReportingOverflow(by: reductionFactor)
            if overflow { break }
            r = next
        }
        return out
    }

    /// A curve's value at a rung: its best value so far when it first reported at or beyond the rung.
    func value(of curve: TrialCurve, atRung rung: Int) -> Double? {
        guard let crossing = curve.points.first(where: { $0.step >= rung }) else { return nil }
        return curve.best(upTo: crossing.step, goal: goal)
    }

    /// Judges the trial at the highest rung its latest report crossed for the first time.
    public func decide(_ curve: TrialCurve, others: [TrialCurve]) -> StopDecision? {
        guard let last = curve.points.last else { return nil }
        let previous = curve.points.count >= 2 ? curve.points[curve.points.count - 2].step : Int.min
        guard let rung = rungs(upTo: last.step).last(where: { $0 > previous }), let mine = value(of: curve, atRung: rung) else {
            return nil
        }
        var values = [mine]
        for other in others where other.number != curve.number {
            if let v = value(of: other, atRung: rung) { values.append(v) }
        }
        let kept = max(1, values.count / reductionFactor)
        values.sort { goal.isBetter($0, than: $1) }
        let threshold = values[kept - 1]
        guard goal.isBetter(threshold, than: mine) else { return nil }
        return StopDecision(
            trial: curve.number, step: last.step,
            reason: "\(metric) \(shown(mine)) at rung step \(rung) not in the top 1/\(reductionFactor) of \(values.count) trials (needed \(shown(threshold)))")
    }
}
