/// Every bound a job spec is held to, in one place (docs/job-spec.md#limits lists them with the reasons).
///
/// Each number a spec carries has a named range, so no single spec can ask a worker or a shard for
/// unbounded memory or time, and every value that is rendered into a 32-bit protobuf field fits it.
/// Products of numbers (a layer's parameters, a step's activations, synthetic data) have their own bounds,
/// checked on the model shape the spec determines (`JobSpec.modelEstimate`).
public enum JobSpecLimits {
    /// A named integer range: `data.batch_size` in 1...65536 is "the per-step batch limit".
    public struct Bound: Sendable, Hashable {
        /// Smallest allowed value.
        public let lower: Int
        /// Largest allowed value.
        public let upper: Int
        /// What the upper bound is called in errors ("the per-step batch limit").
        public let name: String

        /// Creates a bound.
        public init(_ lower: Int, _ upper: Int, _ name: String) {
            self.lower = lower
            self.upper = upper
            self.name = name
        }

        /// Whether `value` lies within the bound.
        public func contains(_ value: Int) -> Bool { value >= lower && value <= upper }

        /// Throws a `SpecError` at `path` naming the bound and the value when `value` is outside it.
        public func check(_ value: Int, at path: String) throws(SpecError) {
            if value < lower {
                throw .spec(path, lower == 1 ? "must be > 0, got \(value)" : "must be ≥ \(lower), got \(value)")
            }
            if value > upper { throw .spec(path, "must be ≤ \(upper) (\(name)), got \(value)") }
        }

        /// Throws when a list at `path` has more than `upper` entries (or fewer than `lower`).
        public func checkCount(_ count: Int, at path: String, of what: String) throws(SpecError) {
            if count < lower { throw .spec(path, "needs at least \(lower) \(what), got \(count)") }
            if count > upper { throw .spec(path, "at most \(upper) \(what) (\(name)), got \(count)") }
        }
    }

    // MARK: Data

    /// `data.batch_size`: examples per worker step.
    public static let batchSize = Bound(1, 1 << 16, "the per-step batch limit")
    /// `data.features`, and the input width any spec implies (`model.cnn.input_shape` product, synthetic weights).
    public static let features = Bound(1, 1 << 24, "the feature-count limit")
    /// `data.samples`: synthetic examples a worker generates.
    public static let samples = Bound(1, 100_000_000, "the synthetic sample limit")
    /// Entries of `data.weights` (the synthetic feature count).
    public static let weights = Bound(1, 1 << 16, "the synthetic feature limit")
    /// `data.samples` × features: values a worker holds for synthetic data (4 GiB of f32).
    public static let syntheticValues = Bound(1, 1 << 30, "the synthetic data limit")

    // MARK: Model

    /// Entries of `model.hidden`.
    public static let layers = Bound(0, 64, "the layer-count limit")
    /// Each `model.hidden` width.
    public static let layerWidth = Bound(1, 1 << 16, "the layer-width limit")
    /// `model.classes`.
    public static let classes = Bound(2, 100_000, "the class-count limit")
    /// Entries of `model.cnn.filters` (conv + pool blocks).
    public static let convBlocks = Bound(1, 16, "the convolution-block limit")
    /// Each `model.cnn.filters` count.
    public static let filters = Bound(1, 4096, "the filter limit")
    /// `model.cnn.kernel_size`.
    public static let kernelSize = Bound(1, 64, "the kernel-size limit")
    /// `model.cnn.pool_size`.
    public static let poolSize = Bound(1, 64, "the pool-size limit")
    /// Each `model.cnn.input_shape` entry (height, width, channels).
    public static let imageDimension = Bound(1, 1 << 14, "the image-dimension limit")
    /// `model.wide_deep.embedding_dim`.
    public static let embeddingDim = Bound(1, 1024, "the embedding-width limit")
    /// `model.wide_deep.vocabulary_hint` (0 = the default of 1000 rows per table).
    public static let vocabularyHint = Bound(0, 1 << 26, "the embedding-rows limit")
    /// Entries of `model.wide_deep.categorical`, `numeric` and `wide`.
    public static let columns = Bound(0, 1024, "the column-count limit")
    /// Elements of one dense variable (a 16384 × 16384 layer; 1 GiB of f32).
    public static let layerParameters = Bound(1, 1 << 28, "the per-layer parameter limit")
    /// Elements of all variables together, embeddings at their vocabulary hint (4 GiB of f32 values).
    public static let parameters = Bound(1, 1 << 30, "the model-size limit")
    /// `data.batch_size` × the activations of one example (every layer's output, convolutions with their im2col
    /// buffer): values a worker computes per step (8 GiB of f32).
    public static let stepActivations = Bound(1, 1 << 31, "the per-step activation limit")

    // MARK: Optimizer and training

    /// `optimizer.schedule.decay_steps` and `warmup_steps`.
    public static let scheduleSteps = Bound(1, 1_000_000_000_000, "the step limit")
    /// `training.epochs`.
    public static let epochs = Bound(1, 1_000_000, "the epoch limit")
    /// `training.max_steps`.
    public static let maxSteps = Bound(1, 1_000_000_000_000, "the step limit")
    /// `training.eval_every_steps` (0 = only at the end).
    public static let evalEverySteps = Bound(0, 1_000_000_000_000, "the step limit")
    /// `training.checkpoint.every_steps`.
    public static let checkpointSteps = Bound(1, 1_000_000_000_000, "the step limit")
    /// `training.checkpoint.keep`.
    public static let checkpointsKept = Bound(1, 1000, "the kept-checkpoint limit")
    /// `training.max_staleness`.
    public static let maxStaleness = Bound(0, 1_000_000, "the staleness limit")
    /// `training.seed` (protobuf carries it as uint64; YAML and JSON tools read it as a signed 64-bit integer).
    public static let seed = Bound(0, Int(Int64.max), "the seed range")
    /// `training.checkpoint.every_seconds`, in seconds (one second to a year).
    public static let checkpointSeconds: ClosedRange<Double> = 1...31_536_000

    // MARK: Cluster

    /// `cluster.workers` (each one is a task slot the coordinator keeps), `training.replicas_to_aggregate`.
    public static let workers = Bound(1, 4096, "the workers-per-job limit")
    /// `training.backup_workers`.
    public static let backupWorkers = Bound(0, 4095, "the workers-per-job limit")
    /// `cluster.ps_shards`.
    public static let psShards = Bound(1, 1024, "the shards-per-job limit")

    // MARK: Serving

    /// `serving.replicas` (0: not served).
    public static let servingReplicas = Bound(0, 64, "the serving-replicas limit")
    /// `serving.refresh_ms`: least milliseconds between two parameter pulls of a replica (10 ms to a day).
    public static let refreshMilliseconds = Bound(10, 86_400_000, "the refresh-interval range")

    // MARK: Streams

    /// `data.stream.poll_ms`: milliseconds between two looks at a stream's directory (10 ms to a minute).
    public static let streamPollMilliseconds = Bound(10, 60_000, "the stream poll range")
    /// `data.stream.eval_window`: newest held-out rows a stream job evaluates on.
    public static let streamEvalWindow = Bound(1, 1_000_000, "the evaluation-window limit")
    /// UTF-8 bytes of `data.stream.pattern`.
    public static let streamPatternBytes = Bound(1, 255, "the file-name length limit")

    // MARK: Numbers and strings

    /// Largest magnitude of any real number a worker or shard uses as a 32-bit float (learning rates, bias, x range…).
    public static let maxMagnitude = 1e30
    /// `optimizer.learning_rate`, `initial_accumulator`, `l1`, `l2`, `schedule.decay_rate`.
    public static let maxRate = 1e6
    /// `optimizer.epsilon` (smaller would round to 0 in f32).
    public static let epsilon: ClosedRange<Double> = 1e-30...1
    /// UTF-8 bytes of a data path or `init_from`.
    public static let pathBytes = Bound(1, 4096, "the path-length limit")
    /// UTF-8 bytes of `data.label` and of each wide & deep column name.
    public static let nameBytes = Bound(1, 256, "the name-length limit")

    /// The integer bounds by spec key, in documentation order (docs/job-spec.md#limits shows each one).
    public static let all: [(key: String, bound: Bound)] = [
        ("data.batch_size", batchSize), ("data.features", features), ("data.samples", samples),
        ("data.weights", weights), ("data.samples × features", syntheticValues),
        ("model.hidden", layers), ("model.hidden[i]", layerWidth), ("model.classes", classes),
        ("model.cnn.filters", convBlocks), ("model.cnn.filters[i]", filters), ("model.cnn.kernel_size", kernelSize),
        ("model.cnn.pool_size", poolSize), ("model.cnn.input_shape[i]", imageDimension),
        ("model.wide_deep.embedding_dim", embeddingDim), ("model.wide_deep.vocabulary_hint", vocabularyHint),
        ("model.wide_deep.categorical/numeric/wide", columns),
        ("one dense variable", layerParameters), ("all variables", parameters),
        ("data.batch_size × activations", stepActivations),
        ("optimizer.schedule.decay_steps/warmup_steps", scheduleSteps),
        ("training.epochs", epochs), ("training.max_steps", maxSteps), ("training.eval_every_steps", evalEverySteps),
        ("training.checkpoint.every_steps", checkpointSteps), ("training.checkpoint.keep", checkpointsKept),
        ("training.max_staleness", maxStaleness), ("training.seed", seed),
        ("cluster.workers/training.replicas_to_aggregate", workers), ("training.backup_workers", backupWorkers),
        ("cluster.ps_shards", psShards), ("data.train/train_labels/test/test_labels/init_from bytes", pathBytes),
        ("data.label/column name bytes", nameBytes),
        ("serving.replicas", servingReplicas), ("serving.refresh_ms", refreshMilliseconds),
        ("data.stream.poll_ms", streamPollMilliseconds), ("data.stream.eval_window", streamEvalWindow),
        ("data.stream.pattern bytes", streamPatternBytes),
    ]

    /// The rule for rendering a spec integer into a 32-bit protobuf field: exact for every value the bounds allow,
    /// clamped (never a trap) for a value stored before a bound existed.
    public static func int32(_ value: Int) -> Int32 { Int32(clamping: value) }
}

/// Arithmetic on outside values that saturates at the ends of `Int` instead of trapping.
public enum Saturating {
    /// a + b, clamped to Int.min...Int.max.
    public static func add(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? .max : .min) : r
    }

    /// a × b, clamped to Int.min...Int.max.
    public static func multiply(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? ((a < 0) == (b < 0) ? .max : .min) : r
    }

    /// The product of `values`, clamped.
    public static func product(_ values: [Int]) -> Int { values.reduce(1, multiply) }

    /// The sum of `values`, clamped.
    public static func sum(_ values: [Int]) -> Int { values.reduce(0, add) }
}

extension JobSpecLimits {
    /// Whether a spec error is a refusal by one of these bounds (its message names the bound), for refusal metrics.
    public static func isLimitRefusal(_ error: SpecError) -> Bool {
        boundNames.contains { error.message.contains("(\($0))") }
    }

    /// Every bound's name as errors write it, the real-number bounds included.
    private static let boundNames = Set(all.map(\.bound.name) + ["the f32 range", "the rate limit", "the checkpoint-interval limit"])
}
