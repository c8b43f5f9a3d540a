import TensorWire
import Synchronization

extension ParameterShard {
    /// A consistent copy of the job's state: at `version` when given (now if the job is there, else when an
    /// update reaches it — sync checkpoints at a step boundary), or now. `failedPrecondition` when the job is
    /// already past `version`, `deadlineExceeded` when it does not reach it within `timeout`. Holds every row in
    /// memory: small jobs and tests; the psd writes `checkpointSource` in chunks.
    public func checkpoint(jobID: UInt64, atVersion version: UInt64? = nil, timeout: Duration = .seconds(60)) async throws(StoreError) -> ShardCheckpoint {
        let job = try job(jobID)
        switch try await capture(job, atVersion: version, timeout: timeout, image: true) {
        case .image(let image): return image
        case .cut: preconditionFailure("a checkpoint image request was answered with a hold")
        }
    }

    /// Holds the job for a checkpoint at `version` (as `checkpoint`) and returns the source its bytes are read from,
    /// chunk by chunk; pushes wait until `release()` (see `ShardCheckpointSource` for why and what stays consistent).
    public func checkpointSource(jobID: UInt64, atVersion version: UInt64? = nil, timeout: Duration = .seconds(60)) async throws(StoreError) -> ShardCheckpointSource {
        let job = try job(jobID)
        guard case .cut(let cut) = try await capture(job, atVersion: version, timeout: timeout, image: false) else {
            preconditionFailure("a checkpoint hold request was answered with an image")
        }
        return ShardCheckpointSource(job: job, version: cut.version, partitions: cut.partitions) { [self] in
            job.releaseHold()
            pausedJobs.subtract(1, ordering: .relaxed)
        }
    }

    /// Waits for the job's version to reach `version` (now when nil) and takes a hold or a whole image there.
    private func capture(_ job: ShardJob, atVersion version: UInt64?, timeout: Duration, image: Bool) async throws(StoreError) -> Captured {
        let jobID = job.jobID
        enum Immediate { case done(Captured), wait(UInt64) }
        let onHold: @Sendable () -> Void = { [self] in pausedJobs.add(1, ordering: .relaxed) }
        let registered: Result<Captured, StoreError> = await withCheckedContinuation { continuation in
            let immediate: Result<Immediate, StoreError> = job.state.withLock { s in
                guard !s.dropped else { return .failure(job.droppedError) }
                guard let version, version != s.version else { return .success(.done(job.capture(&s, image: image, onHold: onHold))) }
                guard version > s.version else {
                    return .failure(StoreError(.failedPrecondition, "Job \(jobID) is at version \(s.version), already past the checkpoint version \(version)."))
                }
                let id = s.nextCaptureID
                s.nextCaptureID += 1
                s.captureRequests.append(CaptureRequest(id: id, version: version, image: image, onHold: onHold, continuation: continuation))
                return .success(.wait(id))
            }
            switch immediate {
            case .failure(let error): continuation.resume(returning: .failure(error))
            case .success(.done(let captured)): continuation.resume(returning: .success(captured))
            case .success(.wait(let id)):
                Task {
                    try? await Task.sleep(for: timeout)
                    let expired = job.state.withLock { s -> CaptureRequest? in
                        guard let i = s.captureRequests.firstIndex(where: { $0.id == id }) else { return nil }
                        return s.captureRequests.remove(at: i)
                    }
                    expired?.continuation.resume(returning: .failure(StoreError(
                        .deadlineExceeded, "Job \(jobID) did not reach checkpoint version \(version ?? 0) within \(timeout).")))
                }
            }
        }
        return try registered.get()
    }

    /// Checkpoint requests of the job waiting for their version.
    public func pendingCheckpoints(jobID: UInt64) throws(StoreError) -> Int {
        try job(jobID).state.withLock { $0.captureRequests.count }
    }

    /// Replaces the job's values, slots, embedding rows and version with a checkpoint's (the job must exist with
    /// the same partitions); gradients accumulated for the current version are discarded.
    public func restore(jobID: UInt64, from image: ShardCheckpoint) throws(StoreError) {
        let job = try job(jobID)
        let indices = try job.validateRestore(image)
        // Pending long-polls wait for versions of the abandoned timeline: they fail, so their workers start over.
        let woken: [VersionWaiter] = try job.state.withLock { (s) throws(StoreError) in
            guard !s.dropped else { throw job.droppedError }
            try job.refuseWhileHeld(s)
            try job.restore(&s, from: image, indices: indices)
            let waiting = s.waiters
            s.waiters.removeAll()
            return waiting
        }
        woken.resumeAll(.failure(StoreError(.failedPrecondition, "Job \(jobID) was restored from a checkpoint at version \(image.version); pull again.")))
        logger.notice("restored job from checkpoint", metadata: ["job": "\(jobID)", "version": "\(image.version)"])
    }

    /// Restores the job from a checkpoint read one partition at a time: every partition is read and checked first
    /// (nothing changes when one is refused), then, under the job's lock, read again and copied into the job's
    /// memory one by one, so at most one partition is held beside the job. A partition whose bytes differ the second
    /// time (CRC32C of its values, slots and keys: the file changed in between) leaves the job half restored, and
    /// `failedPrecondition` says so.
    public func restore(jobID: UInt64, reading source: some ShardCheckpointReading) throws {
        let job = try job(jobID)
        try job.validateRestore(jobID: source.jobID, partitions: source.partitionCount, version: source.version)
        var seen = Set<Int>()
        var plan: [(index: Int, rows: Int?, digest: UInt32)] = []
        for n in 0..<source.partitionCount {
            let p = try source.partition(n)
            plan.append((try job.validateRestore(p, seen: &seen), p.rowKeys?.count, Self.digest(p)))
        }
        let woken: [VersionWaiter] = try job.state.withLock { (s) throws in
            guard !s.dropped else { throw job.droppedError }
            try job.refuseWhileHeld(s)
            try job.makeRoom(&s, restoring: plan.compactMap { step in step.rows.map { (step.index, $0) } })
            for (n, step) in plan.enumerated() {
                let p = try source.partition(n)
                guard Self.digest(p) == step.digest, p.rowKeys?.count == step.rows, (try? job.indexOf(p.key)) == step.index else {
                    s.restart(at: s.version)
                    throw StoreError(.failedPrecondition, "Checkpoint partition \(p.name) of job \(source.jobID) changed while it was restored; job \(jobID) is half restored: restore it again.")
                }
                job.restore(&s, partition: p, index: step.index)
            }
            s.restart(at: source.version)
            let waiting = s.waiters
            s.waiters.removeAll()
            return waiting
        }
        woken.resumeAll(.failure(StoreError(.failedPrecondition, "Job \(jobID) was restored from a checkpoint at version \(source.version); pull again.")))
        logger.notice("restored job from checkpoint", metadata: ["job": "\(jobID)", "version": "\(source.version)"])
    }

    /// CRC32C of a checkpoint partition's values, slots (by name) and keys: what the restore's second read must match.
    static func digest(_ p: ShardCheckpoint.Partition) -> UInt32 {
        var crc = p.values.withUnsafeBytes { CRC32C.checksum($0) }
        for name in p.slots.keys.sorted() { crc = p.slots[name]!.withUnsafeBytes { CRC32C.checksum($0, seed: crc) } }
        if let keys = p.rowKeys { crc = keys.withUnsafeBytes { CRC32C.checksum($0, seed: crc) } }
        return crc
    }

    /// Pauses (for at most `limit`) or resumes (`limit` nil) the job's updates: pushes wait in `waitWhilePaused`.
    /// Async checkpoints pause every shard of a job, copy each, then resume, so the copies form one cut.
    public func setPaused(jobID: UInt64, for limit: Duration?) throws(StoreError) {
        let job = try job(jobID)
        let change: Int = job.state.withLock { s in
            let was = s.pausedUntil != nil
            s.pausedUntil = limit.map { ContinuousClock.now + $0 }
            return (s.pausedUntil != nil ? 1 : 0) - (was ? 1 : 0)
        }
        if change != 0 { pausedJobs.add(change, ordering: .relaxed) }
    }

    /// Whether any job is paused (a cheap check before `waitWhilePaused`).
    public var hasPausedJobs: Bool { pausedJobs.load(ordering: .relaxed) > 0 }

    /// Returns once the job is not paused (or its pause expired); immediately for an unknown job.
    public func waitWhilePaused(jobID: UInt64) async {
        guard hasPausedJobs, let job = try? job(jobID) else { return }
        while true {
            let until: ContinuousClock.Instant? = job.state.withLock { s in
                if let until = s.pausedUntil, until <= .now {
                    s.pausedUntil = nil
                    pausedJobs.subtract(1, ordering: .relaxed)
                }
                // A checkpoint written from the job's memory holds its pushes until it is released.
                if s.checkpointHolds > 0, !s.dropped { return .now }
                return s.pausedUntil
            }
            guard until != nil, !Task.isCancelled else { return }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}
