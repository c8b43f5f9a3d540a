/// Where a trial stands.
public enum TrialState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Proposed; its job is not created yet.
    case pending
    /// Its job runs.
    case running
    /// Its job ended normally.
    case succeeded
    /// Early stopping ended it.
    case stopped
    /// Its job failed (or its assignment made an invalid job spec).
    case failed

    /// Whether the trial is over.
    public var isFinished: Bool { self == .succeeded || self == .stopped || self == .failed }
}

/// One trial of a study: an assignment of the tuned parameters run as one job.
public struct Trial: Sendable, Hashable, Codable {
    /// 1-based number (the job is `<study>-trial-<number>`).
    public var number: Int
    /// The tuned parameters' values.
    public var assignment: [String: ParamValue]
    /// Where it stands.
    public var state: TrialState
    /// The job running it, once created.
    public var jobID: String?
    /// Reported metric points (thinned to every other one when `TuningLimits.seriesPoints` is reached).
    public var points: [MetricPoint]
    /// The final metric given when the job succeeded (nil: its last reported value counts).
    public var finalValue: Double?
    /// Why early stopping ended it, or why it failed.
    public var reason: String?

    /// Creates a pending trial.
    public init(number: Int, assignment: [String: ParamValue]) {
        self.number = number
        self.assignment = assignment
        state = .pending
        points = []
    }

    /// The latest reported point.
    public var last: MetricPoint? { points.last }

    /// The step the trial reached (0 before its first report).
    public var steps: Int { points.last?.step ?? 0 }

    /// The best reported value under `goal`.
    public func best(goal: Goal) -> Double? { points.map(\.value).reduce(nil) { acc, v in acc.map { goal.best($0, v) } ?? v } }

    /// The value the trial is ranked by: the final (or last) value of a succeeded trial, the best value of a stopped or
    /// running one; nil for a failed trial or one without reports.
    public func objective(goal: Goal) -> Double? {
        switch state {
        case .succeeded: finalValue ?? points.last?.value
        case .stopped, .running: best(goal: goal)
        case .pending, .failed: nil
        }
    }
}
