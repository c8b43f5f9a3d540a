/// How gradients from several workers are combined.
public enum TrainingMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Synchronous: a shard averages `replicas_to_aggregate` gradients per version.
    case sync
    /// Asynchronous: each gradient is applied on arrival.
    case async
}

/// A metric a stop target compares against.
public enum StopMetric: String, Sendable, Hashable, Codable, CaseIterable {
    /// Fraction of correct predictions; the target is reached when accuracy ≥ value.
    case accuracy
    /// The training loss; the target is reached when loss ≤ value.
    case loss
    /// Area under the ROC curve; the target is reached when auc ≥ value.
    case auc

    /// Whether a larger value is better (accuracy, auc) or a smaller one (loss).
    public var higherIsBetter: Bool { self != .loss }
}

/// `training.stop_at`: end the job successfully once a metric reaches a value.
public struct StopAtSpec: Sendable, Hashable, Codable {
    /// The metric compared.
    public var metric: StopMetric
    /// The target value.
    public var value: Double

    /// Creates a stop target.
    public init(metric: StopMetric, value: Double) {
        self.metric = metric
        self.value = value
    }

    /// Whether `observed` reaches the target (≥ for accuracy and auc, ≤ for loss).
    public func isReached(by observed: Double) -> Bool {
        metric.higherIsBetter ? observed >= value : observed <= value
    }
}

/// `training.checkpoint`: when shards write consistent checkpoints.
public struct CheckpointSpec: Sendable, Hashable, Codable {
    /// Checkpoint every this many job steps (`nil`: not by steps).
    public var everySteps: Int?
    /// Checkpoint every this many seconds (`nil`: not by time; default 600 when the section is omitted).
    public var everySeconds: Double?
    /// How many checkpoints to keep, ≥ 1 (default 3).
    public var keep: Int

    /// Creates a checkpoint section.
    public init(everySteps: Int? = nil, everySeconds: Double? = 600, keep: Int = 3) {
        self.everySteps = everySteps
        self.everySeconds = everySeconds
        self.keep = keep
    }

    enum CodingKeys: String, CodingKey {
        case keep
        case everySteps = "every_steps"
        case everySeconds = "every_seconds"
    }
}

/// The `training` section of a job spec.
public struct TrainingSpec: Sendable, Hashable, Codable {
    /// Consistency mode (default async).
    public var mode: TrainingMode
    /// Sync: gradients averaged per version, ≥ 1 (default workers − backup_workers, or 1). Async: always 1.
    public var replicasToAggregate: Int
    /// Sync: extra workers whose late gradients are dropped, ≥ 0 (default 0). Async: always 0.
    public var backupWorkers: Int
    /// Async: drop gradients computed more than this many versions ago (`nil`: never).
    public var maxStaleness: Int?
    /// Passes over each worker's data shard (default 1 when `max_steps` is also absent).
    public var epochs: Int?
    /// Stop once the job step reaches this (`nil`: no step limit).
    public var maxSteps: Int?
    /// Evaluate on the test split every this many job steps (0: only at the end; default 0).
    public var evalEverySteps: Int
    /// Checkpoint schedule.
    public var checkpoint: CheckpointSpec
    /// Optional stop target.
    public var stopAt: StopAtSpec?
    /// Seed for initialisation, shuffling and synthetic data (default 1).
    public var seed: UInt64

    /// Creates a training section.
    public init(
        mode: TrainingMode = .async, replicasToAggregate: Int = 1, backupWorkers: Int = 0, maxStaleness: Int? = nil,
        epochs: Int? = 1, maxSteps: Int? = nil, evalEverySteps: Int = 0, checkpoint: CheckpointSpec = CheckpointSpec(),
        stopAt: StopAtSpec? = nil, seed: UInt64 = 1
    ) {
        self.mode = mode
        self.replicasToAggregate = replicasToAggregate
        self.backupWorkers = backupWorkers
        self.maxStaleness = maxStaleness
        self.epochs = epochs
        self.maxSteps = maxSteps
        self.evalEverySteps = evalEverySteps
        self.checkpoint = checkpoint
        self.stopAt = stopAt
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case mode, epochs, checkpoint, seed
        case replicasToAggregate = "replicas_to_aggregate"
        case backupWorkers = "backup_workers"
        case maxStaleness = "max_staleness"
        case maxSteps = "max_steps"
        case evalEverySteps = "eval_every_steps"
        case stopAt = "stop_at"
    }
}
