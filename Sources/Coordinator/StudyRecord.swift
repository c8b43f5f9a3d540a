import Tuning

/// Where a study stands.
public enum StudyState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Trials are proposed and run.
    case running = "RUNNING"
    /// Every trial ended (max_trials reached or the grid used up) and at least one succeeded.
    case succeeded = "SUCCEEDED"
    /// Every trial ended and none succeeded.
    case failed = "FAILED"
    /// Cancelled by a user: running trials were cancelled, pending ones never started.
    case cancelled = "CANCELLED"

    /// Whether the study is over.
    public var isTerminal: Bool { self != .running }
}

/// The study and trial a job runs (the label `describe` and `jobs` show).
public struct TrialRef: Sendable, Hashable, Codable {
    /// The study.
    public var study: StudyID
    /// The trial's number within it (1-based).
    public var trial: Int

    /// Creates a label.
    public init(study: StudyID, trial: Int) {
        self.study = study
        self.trial = trial
    }
}

/// Everything the coordinator knows about one study (persisted as one row; the source of `describe study-N`).
public struct StudyRecord: Sendable, Hashable, Codable {
    /// The study's id.
    public var id: StudyID
    /// The study document and its trials (the pure state machine of the Tuning module).
    public var study: Study
    /// Lifecycle state.
    public var state: StudyState
    /// Why it ended; empty while it runs.
    public var reason: String
    /// Coordinator seconds at submission.
    public var submittedAt: Double
    /// Coordinator seconds when it ended.
    public var endedAt: Double?

    /// Creates a running study.
    public init(id: StudyID, study: Study, submittedAt: Double) {
        self.id = id
        self.study = study
        state = .running
        reason = ""
        self.submittedAt = submittedAt
    }

    /// The study's name (the base spec's `name`).
    public var name: String { study.spec.name }

    /// Steps trained by all its trials together (the budget a search spends): each trial's last reported step, or the
    /// step its job reached when given.
    public func trialSteps(jobSteps: (String) -> Int?) -> Int {
        Saturating.sum(study.trials.map { trial in max(0, trial.jobID.flatMap(jobSteps) ?? trial.steps) })
    }

    enum CodingKeys: String, CodingKey {
        case id, study, state, reason
        case submittedAt = "submitted_at"
        case endedAt = "ended_at"
    }
}
