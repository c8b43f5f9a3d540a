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
                s.restart(at: version)
                return (s.takeSatisfiedWaiters(), version)
            }
            return ([], s.version)
        }
        woken.resumeAll(version: now)
    }
}
