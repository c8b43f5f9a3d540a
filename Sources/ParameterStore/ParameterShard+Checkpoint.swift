import Synchronization

extension ParameterShard {
    /// A consistent copy of the job's state: at `version` when given (now if the job is there, else when an
    /// update reaches it — sync checkpoints at a step boundary), or now. `failedPrecondition` when the job is
    /// already past `version`, `deadlineExceeded` when it does not reach it within `timeout`.
    public func checkpoint(jobID: UInt64, atVersion version: UInt64? = nil, timeout: Duration = .seconds(60)) async throws(StoreError) -> ShardCheckpoint {
        let job = try job(jobID)
        enum Immediate { case image(ShardCheckpoint), wait(UInt64) }
        let registered: Result<ShardCheckpoint, StoreError> = await withCheckedContinuation { continuation in
            let immediate: Result<Immediate, StoreError> = job.state.withLock { s in
                guard !s.dropped else { return .failure(job.droppedError) }
                guard let version, version != s.version else { return .success(.image(job.capture(s))) }
                guard version > s.version else {
                    return .failure(StoreError(.failedPrecondition, "Job \(jobID) is at version \(s.version), already past the checkpoint version \(version)."))
                }
                let id = s.nextCaptureID
                s.nextCaptureID += 1
                s.captureRequests.append(CaptureRequest(id: id, version: version, continuation: continuation))
                return .success(.wait(id))
            }
            switch immediate {
            case .failure(let error): continuation.resume(returning: .failure(error))
            case .success(.image(let image)): continuation.resume(returning: .success(image))
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
            try job.restore(&s, from: image, indices: indices)
            let waiting = s.waiters
            s.waiters.removeAll()
            return waiting
        }
        woken.resumeAll(.failure(StoreError(.failedPrecondition, "Job \(jobID) was restored from a checkpoint at version \(image.version); pull again.")))
        logger.notice("restored job from checkpoint", metadata: ["job": "\(jobID)", "version": "\(image.version)"])
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
                guard let until = s.pausedUntil else { return nil }
                if until <= .now {
                    s.pausedUntil = nil
                    pausedJobs.subtract(1, ordering: .relaxed)
                    return nil
                }
                return until
            }
            guard until != nil, !Task.isCancelled else { return }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}
