import Foundation

/// One reported value of a trial's metric.
public struct MetricPoint: Sendable, Hashable, Codable {
    /// The job step the value was measured at.
    public var step: Int
    /// The metric's value.
    public var value: Double

    /// Creates a point.
    public init(step: Int, value: Double) {
        self.step = step
        self.value = value
    }
}

/// A trial's learning curve as an early-stopping rule sees it.
public struct TrialCurve: Sendable, Hashable {
    /// The trial's number.
    public var number: Int
    /// Its reported points, in increasing step order.
    public var points: [MetricPoint]

    /// Creates a curve.
    public init(number: Int, points: [MetricPoint]) {
        self.number = number
        self.points = points
    }

    /// The best value among the points with step ≤ `step` (nil when there is none).
    func best(upTo step: Int, goal: Goal) -> Double? {
        points.lazy.filter { $0.step <= step }.map(\.value).reduce(nil) { acc, v in acc.map { goal.best($0, v) } ?? v }
    }
}

/// A decision to stop a trial early, with the sentence `describe` shows.
public struct StopDecision: Sendable, Hashable, Codable {
    /// The stopped trial.
    public var trial: Int
    /// The step at which it was judged.
    public var step: Int
    /// Why it stopped ("accuracy 0.81 by step 200 is below the median 0.90 of 4 trials").
    public var reason: String
}

/// An early-stopping rule: judges one trial's curve against the others' after each report.
public protocol EarlyStopper: Sendable {
    /// Whether trial `curve` should stop now, given every other trial's curve (finished, stopped or running).
    func decide(_ curve: TrialCurve, others: [TrialCurve]) -> StopDecision?
}

extension StudySpec {
    /// The study's early-stopping rule; nil when trials run to the end.
    public var earlyStopper: (any EarlyStopper)? {
        switch earlyStopping {
        case .none: nil
        case .median(let minSteps, let minTrials): MedianStopping(metric: metric, goal: goal, minSteps: minSteps, minTrials: minTrials)
        case .asha(let minSteps, let eta): ASHAStopping(metric: metric, goal: goal, minSteps: minSteps, reductionFactor: eta)
        }
    }
}

/// A value as `describe` prints it: four significant digits.
func shown(_ value: Double) -> String {
    let magnitude = abs(value)
    if magnitude != 0, magnitude < 1e-3 || magnitude >= 1e6 { return String(format: "%.3e", value) }
    var text = String(format: "%.4g", value)
    if text.contains("e") { text = String(format: "%.3e", value) }
    return text
}
