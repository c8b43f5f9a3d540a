import JobSpec

/// Whether a study looks for the largest or the smallest metric value (`tuning.goal`).
public enum Goal: String, Sendable, Hashable, Codable, CaseIterable {
    /// Larger is better (accuracy, auc).
    case maximize
    /// Smaller is better (loss).
    case minimize

    /// Whether `a` is strictly better than `b` under this goal.
    public func isBetter(_ a: Double, than b: Double) -> Bool { self == .maximize ? a > b : a < b }

    /// The better of two values.
    public func best(_ a: Double, _ b: Double) -> Double { isBetter(b, than: a) ? b : a }
}

/// How a study proposes trials (`tuning.algorithm`).
public enum AlgorithmKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every combination of the params' values (ranges gridded into `grid_points`), in a fixed order.
    case grid
    /// Independent draws, uniform in each param's scale, from the study's seed.
    case random
    /// Tree-structured Parzen Estimator: random at first, then draws that look like the best trials.
    case tpe
}

/// Settings of the TPE search (`tuning.tpe`).
public struct TPESettings: Sendable, Hashable, Codable {
    /// Random trials before the history is modelled.
    public var startupTrials: Int
    /// Candidates drawn from l(x) per parameter per proposal.
    public var candidates: Int
    /// Share of finished trials counted as good, in (0, 1).
    public var gamma: Double

    /// Creates TPE settings.
    public init(startupTrials: Int = 10, candidates: Int = 24, gamma: Double = 0.25) {
        self.startupTrials = startupTrials
        self.candidates = candidates
        self.gamma = gamma
    }
}

/// The rule that stops unpromising trials early (`tuning.early_stopping`).
public enum EarlyStoppingSpec: Sendable, Hashable, Codable {
    /// Trials run to the end.
    case none
    /// Median stopping rule: stop at step s when the trial's best so far is worse than the median of the other
    /// trials' running averages at s, once `minTrials` trials reached s and s ≥ `minSteps`.
    case median(minSteps: Int, minTrials: Int)
    /// Asynchronous successive halving: rungs at minSteps·η^k; at each rung only the top 1/η go on.
    case asha(minSteps: Int, reductionFactor: Int)
}

/// A study: a base job spec plus its validated `tuning:` section; every trial is the base spec with one assignment.
public struct StudySpec: Sendable, Hashable {
    /// What a study document describes (`kind:`; optional).
    public static let kind = "Study"

    /// The study's name (the base spec's `name`); trial jobs are `<name>-trial-<n>`.
    public var name: String
    /// The base job spec as parsed (trials change only the tuned keys).
    public var base: JobSpec
    /// The job part of the study document as written (without `tuning:` and `kind:`), which trials edit.
    public var baseYAML: String
    /// The study document as submitted (what `Codable` stores; decoding parses and validates it again).
    public var sourceYAML: String
    /// Larger or smaller is better.
    public var goal: Goal
    /// The reported metric the study optimises (`accuracy`, `auc`, `loss`, or any name trials report).
    public var metric: String
    /// Trials in all.
    public var maxTrials: Int
    /// Trials running at once.
    public var maxParallelTrials: Int
    /// The tuned parameters, in the order written (grid order: the first varies slowest).
    public var params: [ParamSpec]
    /// How trials are proposed.
    public var algorithm: AlgorithmKind
    /// TPE settings (used when `algorithm` is tpe).
    public var tpe: TPESettings
    /// Early stopping rule.
    public var earlyStopping: EarlyStoppingSpec
    /// Seed of random and TPE proposals.
    public var seed: UInt64

    /// The job name of trial `number` (1-based).
    public func trialName(_ number: Int) -> String { "\(name)-trial-\(number)" }
}

extension StudySpec: Codable {
    private enum CodingKeys: String, CodingKey { case yaml }

    /// Decodes the stored study document and parses it again, so a stored study meets every bound a submitted one does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .yaml)
        do {
            self = try StudySpecParser.parse(yaml: text)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .yaml, in: c, debugDescription: "stored study is invalid: \(error)")
        }
    }

    /// Encodes the study document as submitted.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sourceYAML, forKey: .yaml)
    }
}
