/// The state of one worker task of a job.
public enum WorkerSlotState: String, Sendable, Hashable, Codable {
    /// No worker holds the task (never assigned, or its worker died); the next idle worker gets it.
    case vacant
    /// A worker holds the task and trains.
    case assigned
    /// The worker reported it finished.
    case finished
}

/// One worker task (index i of n) of a job.
public struct WorkerSlot: Sendable, Hashable, Codable {
    /// Worker index; 0 is the chief.
    public var index: Int
    /// The worker holding it (nil when vacant).
    public var node: NodeID?
    /// The last worker that held it (kept when it is vacated, so a returning worker can reclaim it).
    public var lastNode: NodeID?
    /// Vacant, assigned or finished.
    public var state: WorkerSlotState
    /// The latest progress report.
    public var progress: WorkerProgress?
    /// Coordinator seconds of the latest report.
    public var lastReportAt: Double?
    /// The worker pushed its last gradient (it may still evaluate): not a live replica of a sync job any more.
    /// `nil` (not done) until it says so; cleared when the task is handed to a worker again.
    public var trainingDone: Bool?

    enum CodingKeys: String, CodingKey {
        case index, node, state, progress
        case lastNode = "last_node"
        case lastReportAt = "last_report_at"
        case trainingDone = "training_done"
    }
}

/// Everything the coordinator knows about one job (persistable; the source of `describe`).
public struct JobRecord: Sendable, Hashable, Codable {
    /// The job's id.
    public var id: JobID
    /// The spec as submitted, defaults resolved.
    public var spec: JobSpec
    /// Lifecycle state.
    public var state: JobState
    /// Why the job ended (or is stopping); empty while it runs normally.
    public var reason: String
    /// Coordinator seconds at submission.
    public var submittedAt: Double
    /// Coordinator seconds when it became RUNNING.
    public var startedAt: Double?
    /// Coordinator seconds when it ended.
    public var endedAt: Double?
    /// One slot per worker task.
    public var workers: [WorkerSlot]
    /// Where its variables live, once the chief declared them.
    public var placement: Placement?
    /// Job step: total applied updates as reported by the shards (see docs/job-spec.md "Progress").
    public var step: Int
    /// Sum of examples processed by all workers.
    public var samples: Int
    /// The lowest epoch among workers still training.
    public var epoch: Int
    /// Job-wide throughput (sum of workers' steps/s).
    public var stepsPerSecond: Double?
    /// Latest training figures averaged over workers.
    public var training: MetricPoint?
    /// Latest evaluation.
    public var evaluation: MetricPoint?
    /// Bounded history of training and evaluation points, oldest first.
    public var history: [MetricPoint]
    /// Stale gradients dropped by the shards (sync: late backups; async: over max_staleness).
    public var staleDropped: Int
    /// Sync: gradients the shards currently aggregate per version (lowered while workers are missing).
    public var effectiveReplicas: Int
    /// Latest checkpoint.
    public var checkpoint: CheckpointInfo?
    /// How a raw example becomes a model row, as the chief declared it (a JSON object; serving and exports use it).
    public var preprocessing: String?
    /// Set when a stop condition fired: workers are told to stop and the job succeeds once they finish.
    public var stopRequestedAt: Double?
    /// The shards' latest figures (polled by the runtime), the source of `step`, `stale_dropped` and steps/s.
    public var shardSample: ShardSample?
    /// Set while the job's shards are being restored from its latest checkpoint (shown as RECOVERING): why.
    public var recovering: String?
    /// Sync jobs: until this coordinator time, unheld task slots still count towards N (workers joining).
    public var joinGraceUntil: Double?
    /// How many times the job went through recovery.
    public var recoveries: Int?
    /// The workers' estimate of the job's total steps (max_steps, or epochs × batches per epoch); nil until reported.
    public var totalSteps: Int?
    /// Examples in the latest evaluation; nil before the first.
    public var evaluationCount: Int?
    /// Its serving replicas (nil: never served).
    public var serving: ServingState?
    /// `init_from: job-N`: the job whose newest checkpoint it starts from (resolved at submit).
    public var initSource: JobID?
    /// The study and trial the job runs, when it is a trial of a study.
    public var study: TrialRef?

    /// Whether replicas are wanted and the job's variables can still be served (not FAILED or CANCELLED).
    public var isServed: Bool { (serving?.replicas ?? 0) > 0 && state != .failed && state != .cancelled }

    /// The latest evaluation, falling back to training figures (what `describe` shows as `metrics`).
    public var metrics: MetricPoint? { evaluation ?? training }

    /// The shards of its placement (empty before placement).
    public var shards: [ShardTarget] { placement?.shards ?? [] }

    /// Whether a stop condition fired and the job waits for its workers to finish.
    public var isStopping: Bool { stopRequestedAt != nil && !state.isTerminal }

    /// Training throughput while RUNNING: the sum over its workers of steps/s × batch size (0 otherwise).
    public var samplesPerSecond: Double {
        guard state == .running else { return 0 }
        return workers.compactMap { $0.progress?.stepsPerSecond }.reduce(0, +) * Double(spec.data.batchSize)
    }

    enum CodingKeys: String, CodingKey {
        case id, spec, state, reason, workers, placement, step, samples, epoch, training, evaluation, history, checkpoint
        case submittedAt = "submitted_at"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case stepsPerSecond = "steps_per_second"
        case staleDropped = "stale_dropped"
        case effectiveReplicas = "effective_replicas"
        case stopRequestedAt = "stop_requested_at"
        case shardSample = "shard_sample"
        case recovering
        case joinGraceUntil = "join_grace_until"
        case recoveries
        case totalSteps = "total_steps"
        case evaluationCount = "evaluation_count"
        case serving
        case initSource = "init_source"
        case study
    }
}

/// A job's figures as its shards last reported them (ShardStatus), with the time they were read.
public struct ShardSample: Sendable, Hashable, Codable {
    /// Coordinator seconds of the poll.
    public var time: Double
    /// The highest version (applied updates) over the job's shards.
    public var version: Int
    /// Gradients dropped as stale: the largest count over the job's shards (each worker push reaches every shard).
    public var staleDropped: Int
    /// Pushes rejected with an error (NaN/Inf, bad sizes, future versions), summed over shards.
    public var rejected: Int

    /// Creates a sample.
    public init(time: Double, version: Int, staleDropped: Int, rejected: Int = 0) {
        self.time = time
        self.version = version
        self.staleDropped = staleDropped
        self.rejected = rejected
    }

    enum CodingKeys: String, CodingKey {
        case time, version, rejected
        case staleDropped = "stale_dropped"
    }
}

extension JobRecord {
    /// How the reason of a stored job that could not be loaded begins.
    public static let unloadableReason = "stored job could not be loaded"

    /// A FAILED stand-in for a stored job whose record cannot be read (damaged, or written by an incompatible
    /// version): it keeps the id (and the name and submission time when they can be salvaged) so the job shows, can be
    /// deleted, and its number is never handed out again.
    public static func unloadable(id: JobID, name: String?, submittedAt: Double?, problem: String) -> JobRecord {
        let spec = JobSpec(
            name: name ?? "unreadable", model: ModelSpec(type: .linear), data: .synthetic(weights: [0], samples: 1))
        return JobRecord(
            id: id, spec: spec, state: .failed, reason: "\(unloadableReason): \(problem)", submittedAt: submittedAt ?? 0,
            startedAt: nil, endedAt: submittedAt ?? 0, workers: [], placement: nil, step: 0, samples: 0, epoch: 0,
            stepsPerSecond: nil, training: nil, evaluation: nil, history: [], staleDropped: 0, effectiveReplicas: 1,
            checkpoint: nil, stopRequestedAt: nil, shardSample: nil)
    }
}
