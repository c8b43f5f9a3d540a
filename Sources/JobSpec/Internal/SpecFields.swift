/// What one job spec key holds: the parser's allowed keys and the JSON Schema both come from these tables.
indirect enum SpecFieldKind: Sendable {
    /// A string of 1…`length.upper` characters (bytes for the parser, which is stricter), matching `pattern` if given.
    case string(length: JobSpecLimits.Bound, pattern: String?)
    /// An integer within a named bound.
    case integer(JobSpecLimits.Bound)
    /// A real number within a range.
    case number(NumberRange)
    /// `true` or `false`.
    case boolean
    /// One of a closed list of words (a `SpecWord` type's cases).
    case word([String])
    /// `model.type`: a built-in family or a registered model's name.
    case modelType
    /// A list of integers: `count` entries, each within `item`.
    case integerList(count: JobSpecLimits.Bound, item: JobSpecLimits.Bound)
    /// A list of numbers with `count` entries.
    case numberList(count: JobSpecLimits.Bound)
    /// A list of strings: `count` entries, each `item` long.
    case stringList(count: JobSpecLimits.Bound, item: JobSpecLimits.Bound)
    /// A nested mapping.
    case section(SpecSection)
    /// A fixed word (`apiVersion`, `kind`).
    case constant([String])
}

/// A real-number range of the schema (nil ends are open).
struct NumberRange: Sendable {
    var minimum: Double? = nil
    var exclusiveMinimum: Double? = nil
    var maximum: Double? = nil
    var exclusiveMaximum: Double? = nil

    /// [0, 1): dropout, test_fraction, momentum, betas, rho.
    static let fraction = NumberRange(minimum: 0, exclusiveMaximum: 1)
    /// Any value a worker or shard can hold as a 32-bit float.
    static let f32 = NumberRange(minimum: -JobSpecLimits.maxMagnitude, maximum: JobSpecLimits.maxMagnitude)
    /// A positive rate up to the rate limit.
    static let positiveRate = NumberRange(exclusiveMinimum: 0, maximum: JobSpecLimits.maxRate)
    /// A non-negative rate up to the rate limit.
    static let rate = NumberRange(minimum: 0, maximum: JobSpecLimits.maxRate)
}

/// One key of a job spec section.
struct SpecField: Sendable {
    let key: String
    let kind: SpecFieldKind
    /// The value the parser fills in when the key is absent or null (nil: none, or it depends on other keys).
    var defaultValue: JSONValue? = nil
    /// Required keys may not be absent or null.
    var required = false
    /// One line from docs/job-spec.md.
    let summary: String
}

/// A mapping of a job spec: its keys in documentation order.
struct SpecSection: Sendable {
    let fields: [SpecField]
    /// The keys the parser allows here.
    var keys: [String] { fields.map(\.key) }
}

/// Every section of a job spec (docs/job-spec.md, in its order).
enum SpecFields {
    typealias L = JobSpecLimits
    private static func words<W: SpecWord>(_: W.Type) -> SpecFieldKind { .word(W.allCases.map(\.rawValue)) }
    private static func word<W: SpecWord>(_ w: W) -> JSONValue { .string(w.rawValue) }
    private static let path = SpecFieldKind.string(length: L.pathBytes, pattern: nil)
    private static let nameKind = SpecFieldKind.string(length: L.nameBytes, pattern: nil)

    static let top = SpecSection(fields: [
        SpecField(key: "apiVersion", kind: .constant(JobSpec.supportedAPIVersions), summary: "Format version of the spec (optional; tessera.dev/v1)."),
        SpecField(key: "kind", kind: .constant(JobSpec.supportedKinds), summary: "What the document describes (optional; TrainingJob)."),
        SpecField(
            key: "name", kind: .string(length: JobSpecLimits.Bound(1, 128, "the job-name limit"), pattern: "^[A-Za-z0-9_-][A-Za-z0-9._-]*$"),
            required: true, summary: "Job name: letters, digits, '.', '_', '-'; at most 128 characters; not starting with '.'."),
        SpecField(key: "model", kind: .section(model), required: true, summary: "The model family and its shape."),
        SpecField(key: "data", kind: .section(data), required: true, summary: "Where the examples come from and how they are batched."),
        SpecField(key: "optimizer", kind: .section(optimizer), summary: "The optimizer applied on the parameter-server shards (default sgd, lr 0.01)."),
        SpecField(key: "training", kind: .section(training), summary: "Consistency mode, duration, evaluation, checkpoints, stop target (default async, 1 epoch)."),
        SpecField(key: "cluster", kind: .section(cluster), summary: "How many workers and parameter-server shards the job uses."),
        SpecField(key: "serving", kind: .section(serving), summary: "Serve the model from replicas on workers while it trains (default: not served)."),
        SpecField(
            key: "init_from", kind: .string(length: L.pathBytes, pattern: "\\.safetensors$"),
            summary: "Path of an exported model (clusterctl export JOB --out FILE.safetensors) whose values replace the initializers; read by each psd."),
    ])

    static let model = SpecSection(fields: [
        SpecField(key: "type", kind: .modelType, required: true, summary: "A built-in model family or the name of a model registered with workers' ModelRegistry."),
        SpecField(key: "hidden", kind: .integerList(count: L.layers, item: L.layerWidth), summary: "Hidden layer widths (mlp and wide_deep [128, 64], cnn [128])."),
        SpecField(key: "activation", kind: words(Activation.self), defaultValue: word(Activation.relu), summary: "Activation of the hidden layers."),
        SpecField(key: "dropout", kind: .number(.fraction), defaultValue: .double(0), summary: "Dropout rate of the hidden layers, in [0, 1)."),
        SpecField(key: "classes", kind: .integer(L.classes), summary: "Class count (inferred from the labels when absent)."),
        SpecField(key: "cnn", kind: .section(cnn), summary: "Convolution blocks (only with type cnn)."),
        SpecField(key: "wide_deep", kind: .section(wideDeep), summary: "Wide & deep columns (only with type wide_deep)."),
    ])

    static let cnn = SpecSection(fields: [
        SpecField(key: "filters", kind: .integerList(count: L.convBlocks, item: L.filters), defaultValue: .array([.int(32), .int(64)]), summary: "Filters of each conv → ReLU → max-pool block."),
        SpecField(key: "kernel_size", kind: .integer(L.kernelSize), defaultValue: .int(5), summary: "Square kernel, stride 1, same padding."),
        SpecField(key: "pool_size", kind: .integer(L.poolSize), defaultValue: .int(2), summary: "Square max-pool window and stride."),
        SpecField(
            key: "input_shape", kind: .integerList(count: JobSpecLimits.Bound(3, 3, "[height, width, channels]"), item: L.imageDimension),
            summary: "[height, width, channels]; required unless data.format is idx."),
    ])

    static let wideDeep = SpecSection(fields: [
        SpecField(key: "embedding_dim", kind: .integer(L.embeddingDim), defaultValue: .int(8), summary: "Width of each embedding."),
        SpecField(key: "categorical", kind: .stringList(count: L.columns, item: L.nameBytes), defaultValue: .array([]), summary: "Features with int64 ids ([] = every integer feature)."),
        SpecField(key: "numeric", kind: .stringList(count: L.columns, item: L.nameBytes), defaultValue: .array([]), summary: "Features fed to the deep tower as they are."),
        SpecField(key: "wide", kind: .stringList(count: L.columns, item: L.nameBytes), defaultValue: .array([]), summary: "Features of the linear part ([] = the categorical ones)."),
        SpecField(key: "vocabulary_hint", kind: .integer(L.vocabularyHint), defaultValue: .int(0), summary: "Sizing hint for embedding rows (0 = unbounded)."),
    ])

    static let data = SpecSection(fields: [
        SpecField(key: "format", kind: words(DataFormat.self), required: true, summary: "File format of the examples, or synthetic data."),
        SpecField(key: "train", kind: path, summary: "Training file, relative to workerd's --data-root (required unless synthetic)."),
        SpecField(key: "train_labels", kind: path, summary: "Training labels file (idx only, required there)."),
        SpecField(key: "test", kind: path, summary: "A separate test file."),
        SpecField(key: "test_labels", kind: path, summary: "Test labels file (idx only, required with test)."),
        SpecField(key: "label", kind: nameKind, summary: "csv: the label column's header (required); tfrecord: the label feature (default label)."),
        SpecField(key: "test_fraction", kind: .number(.fraction), defaultValue: .double(0), summary: "Share of training rows held out for evaluation, in [0, 1)."),
        SpecField(key: "normalize", kind: words(Normalization.self), defaultValue: word(Normalization.none), summary: "standard: zero mean, unit variance from the training split."),
        SpecField(key: "batch_size", kind: .integer(L.batchSize), defaultValue: .int(32), summary: "Examples per worker step."),
        SpecField(key: "shuffle", kind: .boolean, defaultValue: .bool(true), summary: "Reshuffle every epoch, seeded from training.seed."),
        SpecField(key: "features", kind: .integer(L.features), summary: "Feature count for sparse formats (inferred when absent)."),
        SpecField(key: "stream", kind: .section(stream), summary: "Train on files as they appear in a directory, instead of data.train (online learning)."),
    ] + synthetic.fields)

    static let stream = SpecSection(fields: [
        SpecField(key: "dir", kind: path, required: true, summary: "Directory watched, relative to workerd's --data-root."),
        SpecField(
            key: "pattern", kind: .string(length: L.streamPatternBytes, pattern: "^[^/]*$"), defaultValue: .string(StreamSpec.defaultPattern),
            summary: "Shell pattern of the file names trained, in name order (names starting with '.' are never taken)."),
        SpecField(
            key: "poll_ms", kind: .integer(L.streamPollMilliseconds), defaultValue: .int(StreamSpec.defaultPollMs),
            summary: "Milliseconds between two looks at the directory while waiting for data."),
        SpecField(
            key: "eval_window", kind: .integer(L.streamEvalWindow), defaultValue: .int(StreamSpec.defaultEvalWindow),
            summary: "Newest held-out rows evaluated (the newest trained rows when test_fraction is 0)."),
    ])

    /// The keys allowed only with `data.format: synthetic`.
    static let synthetic = SpecSection(fields: [
        SpecField(key: "samples", kind: .integer(L.samples), defaultValue: .int(1000), summary: "Synthetic examples generated (synthetic only)."),
        SpecField(key: "weights", kind: .numberList(count: L.weights), summary: "True weights; the length is the feature count (synthetic only, required there)."),
        SpecField(key: "bias", kind: .number(.f32), defaultValue: .double(0), summary: "True bias (synthetic only)."),
        SpecField(key: "noise", kind: .number(NumberRange(minimum: 0, maximum: L.maxMagnitude)), defaultValue: .double(0), summary: "Standard deviation of Gaussian label noise (synthetic only)."),
        SpecField(key: "x_min", kind: .number(.f32), defaultValue: .double(-1), summary: "Lower end of each uniform feature (synthetic only)."),
        SpecField(key: "x_max", kind: .number(.f32), defaultValue: .double(1), summary: "Upper end of each uniform feature, > x_min (synthetic only)."),
    ])

    private static let o = OptimizerSpec()

    static let optimizer = SpecSection(fields: [
        SpecField(key: "type", kind: words(OptimizerType.self), defaultValue: word(o.type), summary: "The update rule applied on the shards."),
        SpecField(key: "learning_rate", kind: .number(.positiveRate), defaultValue: .double(o.learningRate), summary: "Step size (all optimizers)."),
        SpecField(key: "momentum", kind: .number(.fraction), defaultValue: .double(o.momentum), summary: "Momentum (momentum, rmsprop)."),
        SpecField(key: "nesterov", kind: .boolean, defaultValue: .bool(o.nesterov), summary: "Nesterov momentum (momentum)."),
        SpecField(key: "beta1", kind: .number(.fraction), defaultValue: .double(o.beta1), summary: "First-moment decay (adam)."),
        SpecField(key: "beta2", kind: .number(.fraction), defaultValue: .double(o.beta2), summary: "Second-moment decay (adam)."),
        SpecField(
            key: "epsilon", kind: .number(NumberRange(minimum: L.epsilon.lowerBound, maximum: L.epsilon.upperBound)), defaultValue: .double(o.epsilon),
            summary: "Denominator guard (adam, rmsprop, adagrad)."),
        SpecField(key: "rho", kind: .number(.fraction), defaultValue: .double(o.rho), summary: "Squared-gradient decay (rmsprop)."),
        SpecField(key: "initial_accumulator", kind: .number(.rate), defaultValue: .double(o.initialAccumulator), summary: "Starting accumulator (adagrad, ftrl)."),
        SpecField(key: "l1", kind: .number(.rate), defaultValue: .double(o.l1), summary: "L1 regularization (ftrl)."),
        SpecField(key: "l2", kind: .number(.rate), defaultValue: .double(o.l2), summary: "L2 regularization (ftrl; weight decay elsewhere)."),
        SpecField(key: "schedule", kind: .section(schedule), summary: "Learning-rate schedule (default constant)."),
    ])

    static let schedule = SpecSection(fields: [
        SpecField(key: "type", kind: words(ScheduleType.self), defaultValue: word(o.schedule.type), summary: "constant, exponential_decay or linear_warmup."),
        SpecField(key: "decay_steps", kind: .integer(L.scheduleSteps), defaultValue: .int(o.schedule.decaySteps), summary: "Steps per decay_rate factor (exponential_decay)."),
        SpecField(key: "decay_rate", kind: .number(.positiveRate), defaultValue: .double(o.schedule.decayRate), summary: "Factor per decay_steps (exponential_decay)."),
        SpecField(key: "staircase", kind: .boolean, defaultValue: .bool(o.schedule.staircase), summary: "Floor the decay exponent (exponential_decay)."),
        SpecField(key: "warmup_steps", kind: .integer(L.scheduleSteps), defaultValue: .int(o.schedule.warmupSteps), summary: "Steps to reach the full rate (linear_warmup)."),
    ])

    static let training = SpecSection(fields: [
        SpecField(key: "mode", kind: words(TrainingMode.self), defaultValue: word(TrainingMode.async), summary: "sync: aggregate replicas_to_aggregate gradients per step; async: apply each push on arrival."),
        SpecField(key: "replicas_to_aggregate", kind: .integer(L.workers), summary: "Gradients averaged per step (sync only; default cluster.workers − backup_workers)."),
        SpecField(key: "backup_workers", kind: .integer(L.backupWorkers), defaultValue: .int(0), summary: "Extra workers whose late gradients are dropped (sync only)."),
        SpecField(key: "max_staleness", kind: .integer(L.maxStaleness), summary: "Drop pushes older than this many steps (async only; default never)."),
        SpecField(key: "epochs", kind: .integer(L.epochs), summary: "Passes over each worker's shard (1 when max_steps is absent too)."),
        SpecField(key: "max_steps", kind: .integer(L.maxSteps), summary: "Stop once the job step reaches it."),
        SpecField(key: "eval_every_steps", kind: .integer(L.evalEverySteps), defaultValue: .int(0), summary: "Evaluate every this many steps (0: at the end only)."),
        SpecField(key: "checkpoint", kind: .section(checkpoint), summary: "Periodic checkpoints (default every 600 s, keep 3; {} turns them off)."),
        SpecField(key: "stop_at", kind: .section(stopAt), summary: "End the job successfully once a metric reaches a value."),
        SpecField(key: "seed", kind: .integer(L.seed), defaultValue: .int(1), summary: "Seed of initialisation, shuffling and synthetic data."),
    ])

    static let checkpoint = SpecSection(fields: [
        SpecField(key: "every_steps", kind: .integer(L.checkpointSteps), summary: "Checkpoint every this many steps."),
        SpecField(
            key: "every_seconds", kind: .number(NumberRange(minimum: L.checkpointSeconds.lowerBound, maximum: L.checkpointSeconds.upperBound)),
            summary: "Checkpoint every this many seconds (600 when the section is omitted)."),
        SpecField(key: "keep", kind: .integer(L.checkpointsKept), defaultValue: .int(3), summary: "Checkpoints kept."),
    ])

    static let stopAt = SpecSection(fields: [
        SpecField(key: "metric", kind: words(StopMetric.self), required: true, summary: "accuracy and auc are reached when ≥ value, loss when ≤ value."),
        SpecField(key: "value", kind: .number(.f32), required: true, summary: "The target (accuracy and auc in [0, 1])."),
    ])

    static let cluster = SpecSection(fields: [
        SpecField(key: "workers", kind: .integer(L.workers), summary: "Worker tasks (sync: replicas_to_aggregate + backup_workers; async: 1)."),
        SpecField(key: "ps_shards", kind: .integer(L.psShards), summary: "Parameter-server shards (default: every alive ps node)."),
        SpecField(key: "transport", kind: words(DataTransport.self), defaultValue: word(DataTransport.native), summary: "How workers move tensors to and from the shards."),
    ])

    static let serving = SpecSection(fields: [
        SpecField(
            key: "replicas", kind: .integer(L.servingReplicas), defaultValue: .int(ServingSpec.defaultReplicas),
            summary: "Replicas placed on workers started with --serve-listen (0: not served)."),
        SpecField(
            key: "refresh_ms", kind: .integer(L.refreshMilliseconds), defaultValue: .int(ServingSpec.defaultRefreshMs),
            summary: "Least milliseconds between two parameter pulls of a replica."),
    ])
}
