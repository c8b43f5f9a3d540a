/// One progress report of a worker, decoded from the wire (ReportProgress): figures, evaluation, completion or failure.
public struct WorkerReport: Sendable, Hashable {
    /// The job reported on.
    public var job: JobID
    /// The reporting worker.
    public var worker: NodeID
    /// Steps this worker has pushed.
    public var workerStep: Int
    /// Examples this worker has processed.
    public var samples: Int
    /// The epoch the worker is in.
    public var epoch: Int
    /// Training figures over the last window of steps (the same shape as an evaluation; `count` unused), if any.
    public var train: EvaluationMetrics?
    /// A held-out evaluation, when one was run.
    public var evaluation: EvaluationMetrics?
    /// The version the shards answered on the worker's last push (0 when none).
    public var shardVersion: Int
    /// Gradients of this worker the shards dropped as stale.
    public var staleDropped: Int
    /// The worker's recent throughput (0 when unknown).
    public var stepsPerSecond: Double
    /// The worker pushed its last gradient (it may still evaluate).
    public var trainingDone: Bool
    /// The worker ran all its steps.
    public var finished: Bool
    /// The worker's estimate of the job's total steps (0 when unknown).
    public var totalSteps: Int
    /// The error the worker cannot recover from; the job fails with it (unless a shard was lost).
    public var failure: String?
    /// With `failure`: the data-plane address of the shard whose loss caused it.
    public var failureShard: String?

    /// Creates a report.
    public init(
        job: JobID, worker: NodeID, workerStep: Int = 0, samples: Int = 0, epoch: Int = 0, train: EvaluationMetrics? = nil,
        evaluation: EvaluationMetrics? = nil, shardVersion: Int = 0, staleDropped: Int = 0, stepsPerSecond: Double = 0,
        trainingDone: Bool = false, finished: Bool = false, totalSteps: Int = 0, failure: String? = nil, failureShard: String? = nil
    ) {
        self.job = job
        self.worker = worker
        self.workerStep = workerStep
        self.samples = samples
        self.epoch = epoch
        self.train = train
        self.evaluation = evaluation
        self.shardVersion = shardVersion
        self.staleDropped = staleDropped
        self.stepsPerSecond = stepsPerSecond
        self.trainingDone = trainingDone
        self.finished = finished
        self.totalSteps = totalSteps
        self.failure = failure
        self.failureShard = failureShard
    }

    /// The report's figures as a worker's progress (loss NaN when it carries no training figures). A training
    /// report without an accuracy counts as accuracy 0, as the wire's default always did.
    var progress: WorkerProgress {
        WorkerProgress(
            workerStep: workerStep, samples: samples, loss: train?.loss ?? .nan, accuracy: train.map { $0.accuracy ?? 0 },
            epoch: epoch, stepsPerSecond: stepsPerSecond > 0 ? stepsPerSecond : nil)
    }
}

/// What the coordinator answers a worker's report with, and what the runtime must do.
public struct ReportOutcome: Sendable, Hashable {
    /// Continue, or stop with a reason.
    public var directive: Directive
    /// The chief is done training and every other task is finished (or vacant with nobody to take it).
    public var peersFinished: Bool
    /// What to perform, in order.
    public var actions: [CoordinatorAction]
}

/// One TensorBoard scalar.
public struct SummaryScalar: Sendable, Hashable {
    /// The tag (`train/loss`).
    public var tag: String
    /// The value (non-finite values are skipped by the writer).
    public var value: Double

    /// Creates a scalar.
    public init(_ tag: String, _ value: Double) {
        self.tag = tag
        self.value = value
    }
}

/// A job whose counters the runtime should read from its shards.
public struct ShardPoll: Sendable, Hashable {
    /// The job.
    public var job: JobID
    /// Its shards.
    public var shards: [ShardTarget]

    /// Creates a poll.
    public init(job: JobID, shards: [ShardTarget]) {
        self.job = job
        self.shards = shards
    }
}

/// One shard's counters for a job as its ShardStatus answered them (outside numbers: checked on use).
public struct ShardFigures: Sendable, Hashable {
    /// Updates applied (the shard's version).
    public var version: UInt64
    /// Gradients dropped as stale.
    public var staleDropped: Int64
    /// Pushes rejected with an error.
    public var rejected: Int64

    /// Creates figures.
    public init(version: UInt64, staleDropped: Int64, rejected: Int64) {
        self.version = version
        self.staleDropped = staleDropped
        self.rejected = rejected
    }
}

extension ShardSample {
    /// The job's sample from its shards' figures at `time`: the highest version, the largest stale count (each push
    /// reaches every shard), rejected pushes summed (saturating). Nil without figures or when a version does not fit
    /// an Int (no shard counts that far: the answer is damaged).
    init?(combining figures: [ShardFigures], time: Double) {
        guard !figures.isEmpty else { return nil }
        var version = 0
        var stale = 0
        var rejected = 0
        for f in figures {
            guard let v = Int(exactly: f.version) else { return nil }
            version = max(version, v)
            stale = max(stale, Int(clamping: max(0, f.staleDropped)))
            let (sum, overflow) = rejected.addingReportingOverflow(Int(clamping: max(0, f.rejected)))
            rejected = overflow ? Int.max : sum
        }
        self.init(time: time, version: version, staleDropped: stale, rejected: rejected)
    }
}
