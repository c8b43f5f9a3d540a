/// Where a job is in its life; terminal states never change.
public enum JobState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Submitted; waiting for workers, shards and the chief's variable placement.
    case pending = "PENDING"
    /// Variables are placed; workers train.
    case running = "RUNNING"
    /// Finished its epochs, reached max_steps or its stop_at target.
    case succeeded = "SUCCEEDED"
    /// A worker or shard failed, or placement failed; the reason says which.
    case failed = "FAILED"
    /// Cancelled by a user.
    case cancelled = "CANCELLED"

    /// Whether the job is over.
    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// What a worker is told after a progress report.
public enum Directive: Sendable, Hashable {
    /// Keep training.
    case `continue`
    /// Stop training (finish up: final evaluation if chief, then `workerFinished`), with the reason.
    case stop(String)
}
