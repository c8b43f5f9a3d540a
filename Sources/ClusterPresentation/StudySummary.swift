import ClusterAPI

/// A study as `-o json` prints it (`tune`, `studies`, `describe study-N`, `cancel`/`delete study-N`): the keys are a
/// contract scripts read (docs/clusterctl.md) — change them only with a note in docs/.
public struct StudySummary: Codable, Equatable, Sendable {
    /// "study-3" (empty for a dry run).
    public var id: String
    /// The study's name (trial jobs are NAME-trial-N).
    public var name: String
    /// RUNNING, SUCCEEDED, FAILED or CANCELLED.
    public var state: String
    /// Why it ended ("" while it runs).
    public var reason: String
    /// maximize or minimize.
    public var goal: String
    /// accuracy, auc or loss.
    public var metric: String
    /// grid, random or tpe.
    public var algorithm: String
    /// The early-stopping rule in words.
    public var earlyStopping: String
    /// Trials in all.
    public var maxTrials: Int32
    /// Trials at once.
    public var maxParallelTrials: Int32
    /// The best succeeded trial's number, null before one succeeds.
    @Nullable public var bestTrial: Int32?
    /// Steps trained by all trials together.
    public var trialSteps: Int64
    /// Submission time, seconds since 1970.
    @Finite public var submittedAt: Double
    /// End time, null while it runs.
    @Nullable public var endedAt: Double?
    /// Every trial, best first.
    public var trials: [TrialSummary]

    enum CodingKeys: String, CodingKey {
        case id, name, state, reason, goal, metric, algorithm, trials
        case earlyStopping = "early_stopping"
        case maxTrials = "max_trials"
        case maxParallelTrials = "max_parallel_trials"
        case bestTrial = "best_trial"
        case trialSteps = "trial_steps"
        case submittedAt = "submitted_at"
        case endedAt = "ended_at"
    }

    /// The summary of a study as the coordinator answered it.
    public init(_ s: Tessera_V1_Study) {
        id = s.id
        name = s.name
        state = s.state
        reason = s.reason
        goal = s.goal
        metric = s.metric
        algorithm = s.algorithm
        earlyStopping = s.earlyStopping
        maxTrials = s.maxTrials
        maxParallelTrials = s.maxParallelTrials
        bestTrial = s.bestTrial > 0 ? s.bestTrial : nil
        trialSteps = s.trialSteps
        submittedAt = s.submittedAt
        endedAt = s.endedAt > 0 ? s.endedAt : nil
        trials = s.trials.map(TrialSummary.init)
    }
}

/// One trial as `-o json` prints it.
public struct TrialSummary: Codable, Equatable, Sendable {
    /// 1-based number.
    public var number: Int32
    /// pending, running, succeeded, stopped or failed.
    public var state: String
    /// Its job ("job-12"), null before it starts.
    @Nullable public var job: String?
    /// Its job's state, null when there is no job (or it was deleted).
    @Nullable public var jobState: String?
    /// The tuned values, as written into its job spec.
    public var params: [String: String]
    /// The value it is ranked by, null without one.
    @Nullable public var value: Double?
    /// The step its job reached.
    public var steps: Int64
    /// Why it stopped or failed ("" otherwise).
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case number, state, job, params, value, steps, reason
        case jobState = "job_state"
    }

    /// The summary of one trial.
    public init(_ t: Tessera_V1_StudyTrial) {
        number = t.number
        state = t.state
        job = t.jobID.isEmpty ? nil : t.jobID
        jobState = t.jobState.isEmpty ? nil : t.jobState
        params = Dictionary(t.params.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
        value = t.hasValue_p && t.value.isFinite ? t.value : nil
        steps = t.steps
        reason = t.reason
    }
}
