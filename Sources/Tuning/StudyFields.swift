import JobSpec

/// What one key of a study's `tuning:` section holds: the parser's allowed keys and the study's JSON Schema both come
/// from these tables (docs/tuning.md).
indirect enum StudyFieldKind: Sendable {
    /// An integer within a named bound.
    case integer(TuningLimits.Bound)
    /// A real number strictly between two ends (`tpe.gamma`).
    case openInterval(Double, Double)
    /// A param's `min` or `max`: a number of magnitude ≤ `TuningLimits.maxMagnitude`.
    case number
    /// One of a closed list of words (a `CaseIterable` enum's raw values).
    case word([String])
    /// A string of `length` bytes matching `pattern`.
    case string(length: TuningLimits.Bound, pattern: String)
    /// A nested mapping.
    case section(StudySection)
    /// A list of mappings (`params`), `count` entries.
    case list(count: TuningLimits.Bound, of: StudySection)
    /// The word `none` or a mapping (`early_stopping`).
    case noneOr(StudySection)
    /// A param's `key`: a tunable job spec key (`optimizer.learning_rate`, `model.hidden[0]`).
    case paramKey
    /// A param's `values`: numbers or one-line words.
    case paramValues
}

/// One key of a `tuning:` mapping.
struct StudyField: Sendable {
    let key: String
    let kind: StudyFieldKind
    /// Required keys may not be absent or null.
    var required = false
    /// The value the parser uses when the key is absent or null (nil: none, or it depends on other keys).
    var defaultValue: JSONValue? = nil
    /// One line from docs/tuning.md.
    let summary: String
}

/// A mapping of the `tuning:` section: its keys in documentation order.
struct StudySection: Sendable {
    let fields: [StudyField]
    /// The keys the parser allows here.
    var keys: [String] { fields.map(\.key) }
}

/// Every mapping of a study's `tuning:` section, with the defaults the parser fills in.
enum StudyFields {
    private typealias L = TuningLimits
    private static func words<W: RawRepresentable & CaseIterable>(_: W.Type) -> StudyFieldKind where W.RawValue == String {
        .word(W.allCases.map(\.rawValue))
    }

    /// `max_parallel_trials` when absent.
    static let defaultParallelTrials = 1
    /// `algorithm` when absent.
    static let defaultAlgorithm = AlgorithmKind.tpe
    /// `tuning.seed` when absent.
    static let defaultSeed = 1
    /// `early_stopping.min_trials` (median) when absent.
    static let defaultMinTrials = 3
    /// `early_stopping.reduction_factor` (ASHA) when absent.
    static let defaultReductionFactor = 3
    /// The `early_stopping` keys only some rules take, with those rules.
    static let stoppingRuleKeys: [(key: String, rules: [StudySpecParser.StoppingRule])] = [
        ("min_steps", [.median, .asha]), ("min_trials", [.median]), ("reduction_factor", [.asha]),
    ]
    /// `tuning.metric`: a letter, then letters, digits, `_ . / -` (ASCII).
    static let metricPattern = "^[A-Za-z][A-Za-z0-9_./-]*$"

    static let tuning = StudySection(fields: [
        StudyField(key: "goal", kind: words(Goal.self), required: true, summary: "Whether a larger or a smaller metric is better."),
        StudyField(
            key: "metric", kind: .string(length: L.metricBytes, pattern: metricPattern), required: true,
            summary: "The evaluation metric compared across trials (accuracy, auc, loss or a reported metric)."),
        StudyField(key: "max_trials", kind: .integer(L.maxTrials), required: true, summary: "Trials the study runs in all."),
        StudyField(
            key: "max_parallel_trials", kind: .integer(L.maxParallelTrials), defaultValue: .int(defaultParallelTrials),
            summary: "Trials running at once (at most max_trials)."),
        StudyField(key: "params", kind: .list(count: L.params, of: param), required: true, summary: "The job spec keys to tune and their values."),
        StudyField(
            key: "algorithm", kind: words(AlgorithmKind.self), defaultValue: .string(defaultAlgorithm.rawValue),
            summary: "How the next trial's values are chosen."),
        StudyField(key: "tpe", kind: .section(tpe), summary: "TPE settings (only with algorithm tpe)."),
        StudyField(
            key: "early_stopping", kind: .noneOr(earlyStopping), defaultValue: .string(StudySpecParser.StoppingRule.none.rawValue),
            summary: "none, or a rule that stops trials that fall behind."),
        StudyField(key: "seed", kind: .integer(L.seed), defaultValue: .int(defaultSeed), summary: "Seed of the search: a study reruns the same way."),
    ])

    static let tpe = StudySection(fields: [
        StudyField(
            key: "startup_trials", kind: .integer(L.startupTrials), defaultValue: .int(TPESettings().startupTrials),
            summary: "Random trials before TPE models the history."),
        StudyField(
            key: "candidates", kind: .integer(L.candidates), defaultValue: .int(TPESettings().candidates),
            summary: "Draws from the good-trial density per parameter per proposal."),
        StudyField(
            key: "gamma", kind: .openInterval(0, 1), defaultValue: .double(TPESettings().gamma),
            summary: "Share of finished trials counted as good, in (0, 1)."),
    ])

    static let earlyStopping = StudySection(fields: [
        StudyField(key: "rule", kind: words(StudySpecParser.StoppingRule.self), required: true, summary: "none, median or asha."),
        StudyField(key: "min_steps", kind: .integer(L.steps), summary: "The first step at which a trial may be stopped (median and asha)."),
        StudyField(
            key: "min_trials", kind: .integer(L.minTrials), defaultValue: .int(defaultMinTrials),
            summary: "Trials that must reach a step before the median rule judges another at it (median only)."),
        StudyField(
            key: "reduction_factor", kind: .integer(L.reductionFactor), defaultValue: .int(defaultReductionFactor),
            summary: "ASHA's η: one trial in η goes on at each rung (asha only)."),
    ])

    static let param = StudySection(fields: [
        StudyField(key: "key", kind: .paramKey, required: true, summary: "The dotted job spec key tuned (optimizer.learning_rate, model.hidden[0])."),
        StudyField(key: "type", kind: words(ParamType.self), required: true, summary: "double or integer (a range), categorical or discrete (values)."),
        StudyField(key: "min", kind: .number, summary: "Lower end of the range (double and integer)."),
        StudyField(key: "max", kind: .number, summary: "Upper end of the range, > min (double and integer)."),
        StudyField(key: "values", kind: .paramValues, summary: "The values (categorical: words; discrete: increasing numbers)."),
        StudyField(
            key: "scale", kind: words(ParamScale.self), defaultValue: .string(ParamScale.linear.rawValue),
            summary: "linear or log (log needs min > 0) (double and integer)."),
        StudyField(
            key: "grid_points", kind: .integer(L.gridPoints), defaultValue: .int(ParamSpec.defaultGridPoints),
            summary: "Points of the range in a grid search (double and integer)."),
    ])
}
