/// A worker's progress report, sent every few steps.
public struct WorkerProgress: Sendable, Hashable, Codable {
    /// Steps this worker has computed.
    public var workerStep: Int
    /// Examples this worker has processed.
    public var samples: Int
    /// Training loss of the latest batch (or a short running mean).
    public var loss: Double
    /// Training accuracy of the latest batch; `nil` for regression.
    public var accuracy: Double?
    /// The epoch the worker is in (0-based).
    public var epoch: Int
    /// The worker's recent throughput.
    public var stepsPerSecond: Double?

    /// Creates a progress report.
    public init(workerStep: Int, samples: Int, loss: Double, accuracy: Double? = nil, epoch: Int = 0, stepsPerSecond: Double? = nil) {
        self.workerStep = workerStep
        self.samples = samples
        self.loss = loss
        self.accuracy = accuracy
        self.epoch = epoch
        self.stepsPerSecond = stepsPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case samples, loss, accuracy, epoch
        case workerStep = "worker_step"
        case stepsPerSecond = "steps_per_second"
    }

    /// Refuses (`.invalidReport`) figures no worker can produce: negative counts, an accuracy outside [0, 1], a
    /// negative or non-finite rate. A NaN loss means "no training figures yet"; an infinite one is a diverged model.
    public func validate() throws(CoordinatorError) {
        func refuse(_ what: String) -> CoordinatorError { CoordinatorError(.invalidReport, "progress report: \(what)") }
        guard workerStep >= 0 else { throw refuse("worker_step must be ≥ 0, got \(workerStep)") }
        guard samples >= 0 else { throw refuse("samples must be ≥ 0, got \(samples)") }
        guard epoch >= 0 else { throw refuse("epoch must be ≥ 0, got \(epoch)") }
        if let accuracy, !(0...1).contains(accuracy) { throw refuse("accuracy must be in [0, 1], got \(accuracy)") }
        if let rate = stepsPerSecond, !(rate.isFinite && rate >= 0) { throw refuse("steps_per_second must be finite and ≥ 0, got \(rate)") }
    }
}

/// Results of evaluating the model on the test split.
public struct EvaluationMetrics: Sendable, Hashable, Codable {
    /// Mean loss.
    public var loss: Double
    /// Accuracy; `nil` for regression.
    public var accuracy: Double?
    /// ROC AUC (binary classifiers).
    public var auc: Double?
    /// Examples evaluated.
    public var count: Int

    /// Creates evaluation results.
    public init(loss: Double, accuracy: Double? = nil, auc: Double? = nil, count: Int) {
        self.loss = loss
        self.accuracy = accuracy
        self.auc = auc
        self.count = count
    }
}

/// Where a metric figure came from.
public enum MetricSource: String, Sendable, Hashable, Codable {
    /// Averaged from workers' training reports.
    case training
    /// An evaluation on the test split.
    case evaluation
}

/// One point of a job's bounded metric history.
public struct MetricPoint: Sendable, Hashable, Codable {
    /// Training figures or an evaluation.
    public var source: MetricSource
    /// Job step when recorded.
    public var step: Int
    /// Coordinator seconds when recorded.
    public var time: Double
    /// Loss.
    public var loss: Double
    /// Accuracy, when the model has one.
    public var accuracy: Double?
    /// AUC, when computed.
    public var auc: Double?
    /// Job-wide steps per second (training points).
    public var stepsPerSecond: Double?

    /// Creates a metric point.
    public init(source: MetricSource, step: Int, time: Double, loss: Double, accuracy: Double? = nil, auc: Double? = nil, stepsPerSecond: Double? = nil) {
        self.source = source
        self.step = step
        self.time = time
        self.loss = loss
        self.accuracy = accuracy
        self.auc = auc
        self.stepsPerSecond = stepsPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case source, step, time, loss, accuracy, auc
        case stepsPerSecond = "steps_per_second"
    }
}

/// The latest checkpoint the shards wrote for a job.
public struct CheckpointInfo: Sendable, Hashable, Codable {
    /// The version (job step) it was taken at.
    public var version: Int
    /// Where it was written.
    public var path: String

    /// Creates checkpoint information.
    public init(version: Int, path: String) {
        self.version = version
        self.path = path
    }
}
