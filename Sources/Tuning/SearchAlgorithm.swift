/// A finished trial as a search algorithm sees it.
public struct Observation: Sendable, Hashable, Codable {
    /// The trial's parameter values.
    public var assignment: [String: ParamValue]
    /// The trial's objective (its final metric, or its best one when it was stopped early).
    public var value: Double
    /// Whether early stopping ended the trial (its value is from a shorter run, so it ranks after every finished one).
    public var stopped: Bool

    /// Creates an observation.
    public init(assignment: [String: ParamValue], value: Double, stopped: Bool = false) {
        self.assignment = assignment
        self.value = value
        self.stopped = stopped
    }
}

/// Proposes trial assignments: a pure function of the study's spec and seed, the trial number and the history, so a
/// restarted coordinator proposes the same trials.
public protocol SearchAlgorithm: Sendable {
    /// The assignment for trial `number` (1-based), given the finished trials; nil when the search space is used up.
    func propose(number: Int, history: [Observation]) -> [String: ParamValue]?
}

extension StudySpec {
    /// The study's search algorithm (`tuning.algorithm`).
    public var searchAlgorithm: any SearchAlgorithm {
        switch algorithm {
        case .grid: GridSearch(params: params)
        case .random: RandomSearch(params: params, seed: seed)
        case .tpe: TPESearch(params: params, goal: goal, seed: seed, settings: tpe)
        }
    }
}

/// Orders observations best first: finished trials by the goal, then stopped ones by the goal.
func ranked(_ history: [Observation], goal: Goal) -> [Observation] {
    history.sorted { a, b in
        if a.stopped != b.stopped { return !a.stopped }
        if a.value != b.value { return goal.isBetter(a.value, than: b.value) }
        return false
    }
}
