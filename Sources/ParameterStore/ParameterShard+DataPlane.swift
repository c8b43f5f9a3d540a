extension ParameterShard {
    /// Consistent snapshot read of several partitions at one version, under the job's lock; body gets the version and one buffer per key (in order) and encodes them straight into an outgoing frame (no intermediate copies).
    ///
    /// Throws `StoreError` for an unknown job or key and rethrows the body's errors. Keep the body
    /// short: pushes to the job wait while it runs.
    public func read<R>(jobID: UInt64, keys: [PartitionKey], _ body: (UInt64, [UnsafeBufferPointer<Float>]) throws -> R) throws -> R {
        let job = try job(jobID)
        var indices: [Int] = []
        indices.reserveCapacity(keys.count)
        for key in keys { indices.append(try job.denseIndexOf(key)) }
        return try job.state.withLock { s in
            guard !s.dropped else { throw job.droppedError }
            var buffers: [UnsafeBufferPointer<Float>] = []
            buffers.reserveCapacity(indices.count)
            var bytes = 0
            for i in indices {
                buffers.append(s.partitions[i].values.readOnly)
                bytes += s.partitions[i].valueBytes
            }
            s.counters.bytesOut += UInt64(bytes)
            return try body(s.version, buffers)
        }
    }

    /// The job's current version.
    public func version(jobID: UInt64) throws(StoreError) -> UInt64 {
        try job(jobID).state.withLock { $0.version }
    }

    /// Long-poll: returns once the job's version >= `version` (sync mode pulls for a newer version wait), or throws deadlineExceeded after `timeout`, cancelled if the job is dropped.
    public func waitForVersion(jobID: UInt64, atLeast version: UInt64, timeout: Duration) async throws(StoreError) -> UInt64 {
        try await job(jobID).waitForVersion(atLeast: version, timeout: timeout).get()
    }

    /// Applies (async) or accumulates (sync) one worker's gradients for several partitions, all computed at `version`.
    ///
    /// Gradients may point into a transient request buffer: nothing is kept after the call. Validation
    /// comes first (unknown key, element count, duplicate key, NaN/Inf, future version) and a rejected
    /// push changes nothing but the counters. Sync mode: a worker counts towards N once it has
    /// delivered every partition of the job held here for the version (possibly over several pushes);
    /// partitions it already delivered are ignored (`.dropped(staleBy: 0)` when nothing was new).
    public func push(jobID: UInt64, workerID: UInt32, version: UInt64, gradients: [(PartitionKey, UnsafeBufferPointer<Float>)]) throws(StoreError) -> PushOutcome {
        let job = try job(jobID)
        do throws(StoreError) {
            let outcome = try job.push(workerID: workerID, version: version, gradients: gradients)
            if case .dropped(let staleBy) = outcome {
                logger.debug("dropped push", metadata: ["job": "\(jobID)", "worker": "\(workerID)", "version": "\(version)", "stale_by": "\(staleBy)"])
            }
            return outcome
        } catch {
            logger.debug("rejected push", metadata: ["job": "\(jobID)", "worker": "\(workerID)", "error": "\(error)"])
            throw error
        }
    }

    /// Sync mode: coordinator lowers/raises the effective N when live workers change; lowering to at most the workers already accumulated applies at once.
    public func setEffectiveReplicas(jobID: UInt64, _ n: Int) throws(StoreError) {
        let job = try job(jobID)
        guard job.isSync else {
            throw StoreError(.failedPrecondition, "Job \(jobID) is async; effective replicas only apply to sync jobs.")
        }
        // Both counts are validated to at most ConsistencyConfig.maxWorkers: the sum cannot overflow.
        let limit = job.consistency.replicasToAggregate + job.consistency.backupWorkers
        guard n >= 1, n <= limit else {
            throw StoreError(.invalidArgument, "Job \(jobID): effective replicas must be in 1...\(limit) (N + backups), got \(n).")
        }
        let (old, woken, version): (Int, [VersionWaiter], UInt64) = try job.state.withLock { (s) throws(StoreError) in
            guard !s.dropped else { throw job.droppedError }
            let old = s.effectiveReplicas
            s.effectiveReplicas = n
            guard s.completedWorkers >= n, s.completedWorkers > 0 else { return (old, [], s.version) }
            job.applyAccumulated(&s)
            return (old, s.takeSatisfiedWaiters(), s.version)
        }
        woken.resumeAll(version: version)
        if old != n {
            logger.notice("effective replicas changed", metadata: ["job": "\(jobID)", "from": "\(old)", "to": "\(n)", "version": "\(version)"])
        }
    }

    /// Overwrite values (for restore / tests), at a version; the job moves to `version`, and anything accumulated for the old version is discarded.
    public func load(jobID: UInt64, key: PartitionKey, values: UnsafeBufferPointer<Float>, version: UInt64) throws(StoreError) {
        try overwrite(jobID: jobID, key: key, slot: nil, values: values, version: version)
    }

    /// Overwrite one optimizer slot (named as in `OptimizerConfig.slotNames`) of a partition, for restore; the version is unchanged.
    public func loadSlot(jobID: UInt64, key: PartitionKey, slot: String, values: UnsafeBufferPointer<Float>) throws(StoreError) {
        try overwrite(jobID: jobID, key: key, slot: slot, values: values, version: nil)
    }

    /// Reads one optimizer slot of several partitions at one version (for checkpoints), like `read`.
    public func readSlot<R>(jobID: UInt64, keys: [PartitionKey], slot: String, _ body: (UInt64, [UnsafeBufferPointer<Float>]) throws -> R) throws -> R {
        let job = try job(jobID)
        let s = try slotIndex(job, slot)
        var indices: [Int] = []
        for key in keys { indices.append(try job.denseIndexOf(key)) }
        return try job.state.withLock { st in
            guard !st.dropped else { throw job.droppedError }
            return try body(st.version, indices.map { st.partitions[$0].slots[s].readOnly })
        }
    }

    private func slotIndex(_ job: ShardJob, _ slot: String) throws(StoreError) -> Int {
        guard let s = job.optimizer.slotNames.firstIndex(of: slot) else {
            throw StoreError(.notFound, "Job \(job.jobID): optimizer \(job.optimizer.kind.rawValue) has no slot \"\(slot)\" (slots: \(job.optimizer.slotNames.joined(separator: ", "))).")
        }
        return s
    }

    private func overwrite(jobID: UInt64, key: PartitionKey, slot: String?, values: UnsafeBufferPointer<Float>, version: UInt64?) throws(StoreError) {
        let job = try job(jobID)
        let i = try job.denseIndexOf(key)
        let slotIndex = try slot.map { (name) throws(StoreError) in try self.slotIndex(job, name) }
        if let version, version > Self.maxVersion {
            throw StoreError(.invalidArgument, "\(job.describe(i)): version \(version) is beyond the largest a shard accepts (\(Self.maxVersion)).")
        }
        guard values.count == job.counts[i] else {
            throw StoreError(.invalidArgument, "\(job.describe(i)): \(values.count) values given, the partition \(job.specs[i].shape) has \(job.counts[i]).")
        }
        if let base = values.baseAddress, !VectorKernels.allFinite(base, values.count) {
            throw StoreError(.nonFinite, "\(job.describe(i)): values to load contain NaN or Inf.")
        }
        let (woken, now): ([VersionWaiter], UInt64) = try job.state.withLock { (s) throws(StoreError) in
            guard !s.dropped else { throw job.droppedError }
            let p = s.partitions[i]
            let target = slotIndex.map { p.slots[$0] } ?? p.values
            if let base = values.baseAddress { VectorKernels.copy(target.base, base, values.count) }
            if let version, version != s.version {
                s.version = version
                s.resetAccumulation()
                return (s.takeSatisfiedWaiters(), version)
            }
            return ([], s.version)
        }
        woken.resumeAll(version: now)
    }
}
