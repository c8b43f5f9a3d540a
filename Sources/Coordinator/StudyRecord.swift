import Tuning

/// A study's id: a positive integer shown as "study-<n>" (its own counter, apart from jobs').
public struct StudyID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The number (as carried in protobuf messages).
    public var rawValue: UInt64

    /// Wraps a number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Wraps a number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Parses "study-7" or "7"; `nil` for anything else.
    public init?(parsing text: String) {
        let digits = text.hasPrefix("study-") ? String(text.dropFirst(6)) : text
        guard !digits.isEmpty, digits.count <= 20, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt64(digits) else { return nil }
        self.rawValue = n
    }

    /// "study-7".
    public var description: String { "study-\(rawValue)" }

    /// Orders by number.
    public static func < (a: StudyID, b: StudyID) -> Bool { a.rawValue < b.rawValue }

    /// Decodes a bare number.
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(UInt64.self) }
    /// Encodes a bare number.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

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
