import JobSpec

/// Every bound a study's `tuning:` section is held to, in one place (docs/tuning.md#limits).
///
/// Each number a study carries has a named range before it sizes a loop, a list or a grid.
public enum TuningLimits {
    /// A named integer range (the job spec's `JobSpecLimits.Bound`, so errors read the same).
    public typealias Bound = JobSpecLimits.Bound

    /// `tuning.max_trials`: trials a study may run in all.
    public static let maxTrials = Bound(1, 1000, "the trial limit")
    /// `tuning.max_parallel_trials`: trials running at once.
    public static let maxParallelTrials = Bound(1, 64, "the parallel-trial limit")
    /// Entries of `tuning.params`.
    public static let params = Bound(1, 32, "the parameter limit")
    /// Entries of a param's `values` (categorical and discrete).
    public static let values = Bound(1, 256, "the value-list limit")
    /// Bytes of one categorical value.
    public static let valueBytes = Bound(1, 256, "the value-length limit")
    /// A numeric param's `grid_points` (grid search only).
    public static let gridPoints = Bound(2, 100, "the grid-point limit")
    /// Points of a whole grid (the product over params), so a grid index never overflows.
    public static let gridSize = Bound(1, 1_000_000, "the grid-size limit")
    /// Bytes of `tuning.metric`.
    public static let metricBytes = Bound(1, 64, "the metric-name limit")
    /// `tuning.seed`.
    public static let seed = JobSpecLimits.seed
    /// `early_stopping.min_steps` (and any step a trial reports).
    public static let steps = Bound(1, JobSpecLimits.maxSteps.upper, "the step limit")
    /// `early_stopping.min_trials`: trials reaching a step before the median rule judges another at it.
    public static let minTrials = Bound(1, 1000, "the trial limit")
    /// `early_stopping.reduction_factor` (ASHA's η).
    public static let reductionFactor = Bound(2, 16, "the reduction-factor limit")
    /// `tpe.startup_trials`: random trials before TPE models the history.
    public static let startupTrials = Bound(1, 1000, "the trial limit")
    /// `tpe.candidates`: draws from l(x) per parameter per proposal.
    public static let candidates = Bound(1, 10_000, "the candidate limit")
    /// Metric points a trial keeps (older points are thinned to every other one when it is full).
    public static let seriesPoints = 1024
    /// Largest magnitude of a numeric param bound or value (the job spec's f32 range).
    public static let maxMagnitude = JobSpecLimits.maxMagnitude
    /// Largest magnitude of an integer param bound or value (exact as a Double).
    public static let maxInteger = 1 << 53
}
