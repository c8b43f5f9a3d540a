/// A request to hold the job for a checkpoint when its version reaches `version`.
struct CaptureRequest: Sendable {
    let id: UInt64
    let version: UInt64
    /// Whether the request wants the whole image copied at the cut (`ParameterShard.checkpoint`) rather than a hold.
    let image: Bool
    /// Called under the lock when a hold is taken (counts the job as paused).
    let onHold: @Sendable () -> Void
    let continuation: CheckedContinuation<Result<Captured, StoreError>, Never>
}

/// What a checkpoint request gets at its version: a hold on the job and its cut, or a copy of every row.
enum Captured: Sendable {
    case cut(ShardCheckpointCut)
    case image(ShardCheckpoint)
}

/// What a checkpoint holds at its cut: the version and each partition's layout (no rows are copied).
struct ShardCheckpointCut: Sendable {
    let version: UInt64
    let partitions: [ShardCheckpointSource.Partition]
}

extension ShardJob {
    /// Takes a checkpoint hold (pushes wait until it is released) and records the cut: the version and every
    /// partition's layout, embedding partitions with the rows they hold now (call under the job's lock).
    func hold(_ s: inout ShardJobState) -> ShardCheckpointCut {
        s.checkpointHolds += 1
        return cut(s)
    }

    /// The cut now: the version and every partition's layout (under the job's lock).
    func cut(_ s: ShardJobState) -> ShardCheckpointCut {
        let partitions = s.partitions.map { p -> ShardCheckpointSource.Partition in
            if let rows = p.rows {
                let n = rows.rowCount, w = rows.width
                return .init(
                    key: p.spec.key, name: p.spec.variable.name, shape: [n, w],
                    slotNames: Array(optimizer.slotNames.prefix(max(0, rows.arena.arrays - 1))), hasKeys: true, elementCount: n * w)
            }
            return .init(
                key: p.spec.key, name: p.spec.variable.name, shape: p.spec.shape.dims.map { Int($0) },
                slotNames: Array(optimizer.slotNames.prefix(p.slots.count)), hasKeys: false, elementCount: p.count)
        }
        return ShardCheckpointCut(version: s.version, partitions: partitions)
    }

    /// Ends one checkpoint hold.
    func releaseHold() {
        state.withLock { s in s.checkpointHolds = max(0, s.checkpointHolds - 1) }
    }

    /// After the version advanced: takes the holds requested for the new version (under the lock).
    func fulfilCaptures(_ s: inout ShardJobState) {
        guard !s.captureRequests.isEmpty else { return }
        let version = s.version
        let due = s.captureRequests.filter { $0.version == version }
        guard !due.isEmpty else { return }
        s.captureRequests.removeAll { $0.version == version }
        for r in due { r.continuation.resume(returning: .success(capture(&s, image: r.image, onHold: r.onHold))) }
    }

    /// A copy of every partition's values, slots and row keys at the cut (under the job's lock).
    func image(_ s: ShardJobState) -> ShardCheckpoint {
        let cut = cut(s)
        let partitions = zip(cut.partitions, s.partitions).map { layout, storage -> ShardCheckpoint.Partition in
            func floats(_ part: ShardCheckpointSource.Part) -> [Float] {
                var a = [Float](repeating: 0, count: layout.elementCount)
                a.withUnsafeMutableBytes { b in
                    if let base = b.baseAddress { ShardCheckpointSource.copy(storage, part, offset: 0, into: base, count: b.count) }
                }
                return a
            }
            var slots: [String: [Float]] = [:]
            for (k, name) in layout.slotNames.enumerated() { slots[name] = floats(.slot(k)) }
            let keys = layout.hasKeys ? storage.rows.map { Array($0.keys.prefix(layout.shape[0])) } : nil
            return .init(key: layout.key, name: layout.name, shape: layout.shape, values: floats(.values), slots: slots, rowKeys: keys)
        }
        return ShardCheckpoint(jobID: jobID, version: cut.version, partitions: partitions)
    }

    /// Takes what a request at the current version gets: a hold and the cut, or the whole image (under the lock).
    func capture(_ s: inout ShardJobState, image wanted: Bool, onHold: @Sendable () -> Void) -> Captured {
        if wanted { return .image(image(s)) }
        let cut = hold(&s)
        onHold()
        return .cut(cut)
    }

    /// Checks a checkpoint's partition count and version against this job.
    func validateRestore(jobID source: UInt64, partitions count: Int, version: UInt64) throws(StoreError) {
        guard count == specs.count else {
            throw StoreError(.invalidArgument, "Checkpoint of job \(source) holds \(count) partitions; job \(jobID) has \(specs.count) on this shard.")
        }
        guard version <= ParameterShard.maxVersion else {
            throw StoreError(.invalidArgument, "Checkpoint of job \(source) is at version \(version), beyond the largest a shard accepts (\(ParameterShard.maxVersion)).")
        }
    }

    /// Checks one checkpoint partition against this job's partitions (`seen`: the partition indices already checked);
    /// returns its partition index.
    func validateRestore(_ p: ShardCheckpoint.Partition, seen: inout Set<Int>) throws(StoreError) -> Int {
        let i = try indexOf(p.key)
        let spec = specs[i]
        let what = "checkpoint partition \(p.name) (\(p.key))"
        guard seen.insert(i).inserted else {
            throw StoreError(.invalidArgument, "\(what): the checkpoint holds this partition twice.")
        }
        guard spec.variable.name == p.name else {
            throw StoreError(.invalidArgument, "\(what): the job's partition \(p.key) is variable \(spec.variable.name).")
        }
        if spec.isSparse {
            guard let keys = p.rowKeys, p.shape.count == 2, p.shape[1] == spec.rowWidth, p.shape[0] == keys.count,
                case let (floats, false) = keys.count.multipliedReportingOverflow(by: spec.rowWidth), p.values.count == floats
            else {
                throw StoreError(.invalidArgument, "\(what): embedding rows do not match width \(spec.rowWidth).")
            }
            var distinct = Set<Int64>(minimumCapacity: keys.count)
            for k in keys {
                if let problem = SparseRows.problem(spec: spec, key: k) {
                    throw StoreError(.invalidArgument, "\(what): \(problem).")
                }
                guard distinct.insert(k).inserted else {
                    throw StoreError(.invalidArgument, "\(what): row key \(k) appears twice.")
                }
            }
        } else {
            guard p.rowKeys == nil, p.values.count == counts[i] else {
                throw StoreError(.invalidArgument, "\(what): \(p.values.count) values, the partition \(spec.shape) has \(counts[i]).")
            }
        }
        for name in optimizer.slotNames {
            guard let slot = p.slots[name], slot.count == p.values.count else {
                throw StoreError(.invalidArgument, "\(what): optimizer slot \"\(name)\" is missing or has the wrong size.")
            }
        }
        let finite = p.values.withUnsafeBufferPointer { $0.baseAddress.map { VectorKernels.allFinite($0, p.values.count) } ?? true }
        guard finite else {
            throw StoreError(.nonFinite, "\(what): values contain NaN or Inf.")
        }
        return i
    }

    /// Checks a checkpoint against this job's partitions; returns each entry's partition index.
    func validateRestore(_ image: ShardCheckpoint) throws(StoreError) -> [Int] {
        try validateRestore(jobID: image.jobID, partitions: image.partitions.count, version: image.version)
        var seen = Set<Int>()
        var indices: [Int] = []
        for p in image.partitions { indices.append(try validateRestore(p, seen: &seen)) }
        return indices
    }

    /// Replaces the state with `image` (validated) and moves to its version (under the lock); `resourceExhausted`,
    /// changing nothing, when its embedding rows do not fit the shard's memory limit.
    func restore(_ s: inout ShardJobState, from image: ShardCheckpoint, indices: [Int]) throws(StoreError) {
        try makeRoom(&s, restoring: zip(image.partitions, indices).compactMap { p, i in p.rowKeys.map { (i, $0.count) } })
        for (p, i) in zip(image.partitions, indices) { restore(&s, partition: p, index: i) }
        s.restart(at: image.version)
    }

    /// Replaces partition `i`'s state with `p` (validated, room made; under the lock).
    func restore(_ s: inout ShardJobState, partition p: ShardCheckpoint.Partition, index i: Int) {
        let storage = s.partitions[i]
        if let rows = storage.rows, let keys = p.rowKeys {
            var arrays = [p.values]
            for name in optimizer.slotNames { arrays.append(p.slots[name] ?? []) }
            rows.restore(keys: keys, arrays: arrays)
        } else {
            p.values.withUnsafeBufferPointer { _ = storage.values.buffer.update(fromContentsOf: $0) }
            for (k, name) in optimizer.slotNames.enumerated() where k < storage.slots.count {
                p.slots[name]?.withUnsafeBufferPointer { _ = storage.slots[k].buffer.update(fromContentsOf: $0) }
            }
        }
    }
}

extension ShardJob {
    /// `failedPrecondition` while a checkpoint is being written from the job's memory (under the lock).
    func refuseWhileHeld(_ s: ShardJobState) throws(StoreError) {
        guard s.checkpointHolds == 0 else {
            throw StoreError(.failedPrecondition, "Job \(jobID) is being checkpointed; restore it once the checkpoint is written.")
        }
    }
}
