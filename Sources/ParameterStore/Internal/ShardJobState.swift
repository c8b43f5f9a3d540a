/// A long-poll waiting for a job's version to reach `atLeast`.
struct VersionWaiter: Sendable {
    let id: UInt64
    let atLeast: UInt64
    let continuation: CheckedContinuation<Result<UInt64, StoreError>, Never>
}

/// The mutable state of one job on a shard, guarded by the job's mutex.
struct ShardJobState: Sendable {
    /// Partitions in the job's declared order.
    var partitions: [PartitionStorage]
    /// The aggregation rule's state: version, effective N, who delivered what for the current version.
    var aggregation: AggregationStateMachine
    /// Pending long-polls.
    var waiters: [VersionWaiter] = []
    /// Id for the next waiter.
    var nextWaiterID: UInt64 = 0
    /// Set once the job is dropped: every operation fails and waiters are cancelled.
    var dropped = false
    /// Bytes of embedding arenas reserved from the shard's budget (given back when the job is dropped).
    var sparseBytes = 0
    /// Counters reported by `stats`.
    var counters = ShardJobStats.Counters()
    /// Checkpoint copies to take when the version reaches theirs.
    var captureRequests: [CaptureRequest] = []
    /// Id for the next capture request.
    var nextCaptureID: UInt64 = 0
    /// Async checkpoints: pushes wait while paused, until this instant at the latest.
    var pausedUntil: ContinuousClock.Instant?
    /// Checkpoints being written from the job's memory (`ShardCheckpointSource`): pushes wait while any is held,
    /// and a restore is refused.
    var checkpointHolds = 0

    /// Updates applied so far (starts at 0).
    var version: UInt64 { aggregation.version }

    /// Sync mode: forgets the gradients summed for the current version (keeps the memory).
    func resetSums() {
        for p in partitions { p.resetAccumulation() }
    }

    /// Moves to `version` (a load or restore): everything delivered or summed for the old version is forgotten.
    mutating func restart(at version: UInt64) {
        aggregation.restart(at: version)
        resetSums()
    }

    /// Removes and returns the waiters satisfied by the current version.
    mutating func takeSatisfiedWaiters() -> [VersionWaiter] {
        guard !waiters.isEmpty else { return [] }
        let v = version
        let ready = waiters.filter { $0.atLeast <= v }
        if !ready.isEmpty { waiters.removeAll { $0.atLeast <= v } }
        return ready
    }

    /// Removes the waiter `id`, if still waiting.
    mutating func removeWaiter(_ id: UInt64) -> VersionWaiter? {
        guard let i = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: i)
    }
}

extension [VersionWaiter] {
    /// Resumes every waiter with `result` (call outside the lock).
    func resumeAll(_ result: Result<UInt64, StoreError>) {
        for w in self { w.continuation.resume(returning: result) }
    }

    /// Resumes every waiter with the version it now has (call outside the lock).
    func resumeAll(version: UInt64) { resumeAll(.success(version)) }
}
