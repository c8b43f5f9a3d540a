/// What a worker's step loop tells the coordinator after some steps (the runtime sends it as ReportProgress).
public struct ProgressReport: Sendable, Equatable {
    /// Steps this worker ran in the job (a resumed task counts from where the job stood).
    public var workerStep: Int64
    /// The epoch the worker is in.
    public var epoch: Int
    /// Training examples this worker processed.
    public var samples: Int64
    /// Training figures over the steps since the last report (the previous window's when no step ran since).
    public var train: TrainingFigures?
    /// An evaluation on the held-out split (chief only: every `eval_every_steps`, and at the end).
    public var eval: TrainingFigures?
    /// The highest parameter version any shard reported.
    public var version: UInt64
    /// Gradients of this worker the shards dropped as stale.
    public var staleDropped: Int64
    /// Steps per second over the last window.
    public var stepsPerSecond: Double
    /// The steps the job runs in all (max_steps, or epochs × batches).
    public var totalSteps: Int64
    /// The worker is done training (a chief then waits for its peers before the final evaluation).
    public var trainingDone: Bool
    /// The task's last report.
    public var finished: Bool
}

/// What the coordinator answers a report.
public struct ProgressAnswer: Sendable, Equatable {
    /// Stop the task now (the job was cancelled, failed or reached its goal).
    public var stop: Bool
    /// Every other worker of the job reported it is done training.
    public var peersFinished: Bool
    /// Why the task is stopped, for the log.
    public var reason: String

    /// An answer.
    public init(stop: Bool = false, peersFinished: Bool = false, reason: String = "") {
        self.stop = stop
        self.peersFinished = peersFinished
        self.reason = reason
    }
}
