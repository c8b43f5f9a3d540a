/// Why a checkpoint is taken (the manifest's `reason`).
public enum CheckpointReason: String, Sendable, Hashable, CaseIterable {
    /// `checkpoint.every_steps` came due.
    case everySteps = "every_steps"
    /// `checkpoint.every_seconds` came due.
    case everySeconds = "every_seconds"
    /// Asked for (CheckpointJob, `clusterctl checkpoint`).
    case requested
    /// The job succeeded: its final state.
    case final
    /// The coordinator is stopping (SIGTERM).
    case shutdown

    /// Whether the scheduler started it (a failed one is retried with backoff).
    public var isPeriodic: Bool { self == .everySteps || self == .everySeconds }
}

/// How a checkpoint the runtime took ended.
public enum CheckpointOutcome: Sendable, Hashable {
    /// Every shard wrote its file and the manifest at `path` names them; the job is at `version`.
    case committed(version: Int, path: String)
    /// It was not taken; the sentence says why.
    case failed(String)
}

/// How the restore of a recovering job ended (see `Coordinator.recoveryFinished`).
public enum RecoveryOutcome: Sendable, Hashable {
    /// Every shard still held the job: nothing was restored.
    case shardsIntact
    /// The shards were restored from the checkpoint at `version` (its manifest at `manifest`).
    case checkpoint(version: Int, manifest: String)
    /// No checkpoint was usable: the job continues from its initial values (or its `init_from` model).
    case initialValues
}

/// The coordinator's checkpoint and restore bookkeeping, per job. Kept in memory like before a restart: the latest
/// committed checkpoint is in the job record (and the store); after a restart every_seconds counts from the job's start.
struct CheckpointSchedule: Sendable {
    /// One job's bookkeeping.
    struct Entry: Sendable, Hashable {
        /// The checkpoint being taken, if any (at most one per job).
        var inFlight: CheckpointReason?
        /// Coordinator seconds of the latest committed checkpoint (for every_seconds).
        var committedAt: Double?
        /// Periodic checkpoints that failed in a row.
        var failures = 0
        /// No periodic checkpoint before this time (after a failure).
        var retryAt: Double?
        /// The job succeeded while a checkpoint was in flight: the final one starts when that one ends.
        var finalWaiting = false
    }

    /// Delay before retrying the first failed periodic checkpoint, in seconds; it doubles with each failure in a row.
    static let firstRetryDelay = 5.0
    /// The longest delay between retries, in seconds.
    static let maxRetryDelay = 60.0

    private(set) var entries: [JobID: Entry] = [:]
    /// Recovering jobs whose restore the runtime is performing.
    private(set) var restoring: Set<JobID> = []

    /// The checkpoint of `id` being taken, if any.
    func inFlight(_ id: JobID) -> CheckpointReason? { entries[id]?.inFlight }

    /// When the latest checkpoint of `id` was committed (this coordinator's lifetime only).
    func committedAt(_ id: JobID) -> Double? { entries[id]?.committedAt }

    /// No periodic checkpoint of `id` before this time.
    func retryAt(_ id: JobID) -> Double? { entries[id]?.retryAt }

    /// Marks a checkpoint of `id` as taken now.
    mutating func begin(_ id: JobID, _ reason: CheckpointReason) {
        entries[id, default: Entry()].inFlight = reason
    }

    /// The final checkpoint of `id` waits for the one in flight.
    mutating func waitForFinal(_ id: JobID) {
        entries[id, default: Entry()].finalWaiting = true
    }

    /// The checkpoint in flight ended; returns whether a final checkpoint was waiting for it.
    mutating func finish(_ id: JobID, reason: CheckpointReason, outcome: CheckpointOutcome, now: Double) -> Bool {
        var entry = entries[id] ?? Entry()
        if entry.inFlight == reason { entry.inFlight = nil }
        switch outcome {
        case .committed:
            entry.committedAt = now
            entry.failures = 0
            entry.retryAt = nil
        case .failed where reason.isPeriodic:
            entry.failures = min(entry.failures + 1, 32)
            entry.retryAt = now + Self.retryDelay(failures: entry.failures)
        case .failed:
            break
        }
        let waiting = entry.finalWaiting
        entry.finalWaiting = false
        entries[id] = entry
        return waiting
    }

    /// Seconds to wait after `failures` periodic checkpoints failed in a row: 5, 10, 20, 40, then 60.
    static func retryDelay(failures: Int) -> Double {
        let doublings = min(max(failures, 1), 16) - 1
        return min(firstRetryDelay * Double(1 << doublings), maxRetryDelay)
    }

    /// The restore of `id` starts; false when one is already running.
    mutating func beginRestore(_ id: JobID) -> Bool { restoring.insert(id).inserted }

    /// The restore of `id` ended (done, or to be tried again on a later tick).
    mutating func endRestore(_ id: JobID) { restoring.remove(id) }

    /// A recovered job starts afresh: no failures, no retry delay.
    mutating func clearFailures(_ id: JobID) {
        entries[id]?.failures = 0
        entries[id]?.retryAt = nil
    }

    /// Drops the bookkeeping of a job that ended or was deleted, unless a checkpoint of it is in flight.
    mutating func forget(_ id: JobID) {
        if entries[id]?.inFlight == nil { entries[id] = nil }
        restoring.remove(id)
    }
}
