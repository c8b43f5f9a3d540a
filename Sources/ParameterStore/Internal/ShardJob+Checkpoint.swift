/// A request to copy the job's state when its version reaches `version`.
struct CaptureRequest: Sendable {
    let id: UInt64
    let version: UInt64
    let continuation: CheckedContinuation<Result<ShardCheckpoint, StoreError>, Never>
}

extension ShardJob {
    /// Copies every partition's values, slots and row keys (call under the job's lock).
    func capture(_ s: ShardJobState) -> ShardCheckpoint {
        var partitions: [ShardCheckpoint.Partition] = []
        partitions.reserveCapacity(s.partitions.count)
        for p in s.partitions {
            if let rows = p.rows {
                let n = rows.rowCount, w = rows.width
                func array(_ a: Int) -> [Float] {
                    var out = [Float](repeating: 0, count: n * w)
                    out.withUnsafeMutableBufferPointer { dst in
                        for r in 0..<n { (dst.baseAddress! + r * w).update(from: rows.arena.row(r, array: a), count: w) }
                    }
                    return out
                }
                var slots: [String: [Float]] = [:]
                for (i, name) in optimizer.slotNames.enumerated() where i + 1 < rows.arena.arrays { slots[name] = array(i + 1) }
                partitions.append(.init(key: p.spec.key, name: p.spec.variable.name, shape: [n, w], values: array(0), slots: slots, rowKeys: rows.keys))
            } else {
                var slots: [String: [Float]] = [:]
                for (i, name) in optimizer.slotNames.enumerated() where i < p.slots.count { slots[name] = Array(p.slots[i].readOnly) }
                partitions.append(.init(
                    key: p.spec.key, name: p.spec.variable.name, shape: p.spec.shape.dims.map { Int($0) },
                    values: Array(p.values.readOnly), slots: slots, rowKeys: nil))
            }
        }
        return ShardCheckpoint(jobID: jobID, version: s.version, partitions: partitions)
    }

    /// After the version advanced: fulfils the capture requests for the new version (under the lock).
    func fulfilCaptures(_ s: inout ShardJobState) {
        guard !s.captureRequests.isEmpty else { return }
        let version = s.version
        let due = s.captureRequests.filter { $0.version == version }
        guard !due.isEmpty else { return }
        s.captureRequests.removeAll { $0.version == version }
        let image = capture(s)
        for r in due { r.continuation.resume(returning: .success(image)) }
    }

    /// Checks a checkpoint against this job's partitions; returns each entry's partition index.
    func validateRestore(_ image: ShardCheckpoint) throws(StoreError) -> [Int] {
        guard image.partitions.count == specs.count else {
            throw StoreError(.invalidArgument, "Checkpoint of job \(image.jobID) holds \(image.partitions.count) partitions; job \(jobID) has \(specs.count) on this shard.")
        }
        guard image.version <= ParameterShard.maxVersion else {
            throw StoreError(.invalidArgument, "Checkpoint of job \(image.jobID) is at version \(image.version), beyond the largest a shard accepts (\(ParameterShard.maxVersion)).")
        }
        var indices: [Int] = []
        var seen = Set<Int>()
        for p in image.partitions {
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
            indices.append(i)
        }
        return indices
    }

    /// Replaces the state with `image` (validated) and moves to its version (under the lock); `resourceExhausted`,
    /// changing nothing, when its embedding rows do not fit the shard's memory limit.
    func restore(_ s: inout ShardJobState, from image: ShardCheckpoint, indices: [Int]) throws(StoreError) {
        try makeRoom(&s, restoring: zip(image.partitions, indices).compactMap { p, i in p.rowKeys.map { (i, $0.count) } })
        for (p, i) in zip(image.partitions, indices) {
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
        s.restart(at: image.version)
    }
}
