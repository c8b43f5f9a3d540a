/// A job as `--json` prints it (`jobs`, `describe`, `submit`, `watch`, `cancel`, `delete`): the keys,
/// nesting and nulls are a contract scripts read — change them only with a note in docs/.
public struct JobSummary: Codable, Equatable, Sendable {
    /// "job-7".
    public var id: String
    /// The spec's name.
    public var name: String
    /// PENDING, RUNNING, RECOVERING, SUCCEEDED, FAILED, CANCELLED.
    public var state: String
    /// Why the job is in its state ("" when there is nothing to say).
    public var reason: String
    /// Steps done.
    public var step: Int64
    /// Steps in all (0 = unknown).
    public var totalSteps: Int64
    /// Examples trained on.
    public var samples: Int64
    /// Recent speed.
    @Finite public var stepsPerSecond: Double
    /// The latest evaluation, else the training figures, else all null.
    public var metrics: MetricsSummary
    /// Training figures, null before the first report.
    @Nullable public var trainMetrics: MetricsSummary?
    /// Held-out figures, null before the first evaluation.
    @Nullable public var evalMetrics: MetricsSummary?
    /// Gradients dropped as stale.
    public var staleDropped: Int64
    /// N of a sync job's N-of-N+b rule.
    public var effectiveReplicas: Int32
    /// Where each partition lives.
    public var placement: [PlacementSummary]
    /// Bytes placed on each shard, by shard name.
    public var bytesPerShard: [String: Int64]
    /// The job's workers.
    public var workers: [WorkerSummary]
    /// TensorBoard event folder, null when the job writes none.
    @Nullable public var tensorboardDir: String?
    /// The latest complete checkpoint, null when there is none.
    @Nullable public var checkpoint: CheckpointRefSummary?
    /// Submission time, seconds since 1970.
    @Finite public var createdAt: Double
    /// Start time, null before the job started.
    @Nullable public var startedAt: Double?
    /// End time, null while it runs.
    @Nullable public var finishedAt: Double?
    /// Metric history (only when asked for: `describe --json`).
    public var history: [MetricPointSummary]
    /// Its serving replicas; the key is absent when the job is not served.
    public var serving: ServingSummary? = nil
    /// The study whose trial it runs ("study-3"); the key is absent for an ordinary job.
    public var study: String? = nil
    /// That trial's number; absent for an ordinary job.
    public var trial: Int32? = nil

    enum CodingKeys: String, CodingKey {
        case id, name, state, reason, step, samples, metrics, placement, workers, checkpoint, history, serving, study, trial
        case totalSteps = "total_steps"
        case stepsPerSecond = "steps_per_second"
        case trainMetrics = "train_metrics"
        case evalMetrics = "eval_metrics"
        case staleDropped = "stale_dropped"
        case effectiveReplicas = "effective_replicas"
        case bytesPerShard = "bytes_per_shard"
        case tensorboardDir = "tensorboard_dir"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

/// One partition of a variable on a shard.
public struct PlacementSummary: Codable, Equatable, Sendable {
    /// Variable name, e.g. `dense_0/kernel`.
    public var variable: String
    /// "dense" or "embedding".
    public var kind: String
    /// Partition number within the variable.
    public var partition: UInt32
    /// Shard name.
    public var shard: String
    /// Shard's data-plane address.
    public var shardAddress: String
    /// Bytes (an estimate for embeddings).
    public var bytes: Int64
    /// The variable's full shape.
    public var shape: [Int64]
    /// First row and end row (exclusive).
    public var rows: [Int64]

    enum CodingKeys: String, CodingKey {
        case variable, kind, partition, shard, bytes, shape, rows
        case shardAddress = "shard_address"
    }
}

/// One worker of a job.
public struct WorkerSummary: Codable, Equatable, Sendable {
    /// Worker index.
    public var index: UInt32
    /// Node name.
    public var node: String
    /// Steps it did.
    public var step: Int64
    /// Its current epoch.
    public var epoch: Int32
    /// Whether it finished.
    public var finished: Bool
}

/// A job's latest complete checkpoint.
public struct CheckpointRefSummary: Codable, Equatable, Sendable {
    /// The step it holds.
    public var version: UInt64
    /// Its manifest file.
    public var manifest: String
}

/// One point of a job's metric history.
public struct MetricPointSummary: Codable, Equatable, Sendable {
    /// Step of the figures.
    public var step: Int64
    /// When, seconds since 1970.
    @Finite public var time: Double
    /// "train" or "eval".
    public var kind: String
    /// The figures.
    public var metrics: MetricsSummary
}
