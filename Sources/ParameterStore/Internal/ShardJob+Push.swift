/// One embedding partition's part of a push: row keys and `rowKeys.count × width` gradient floats.
typealias SparseGradient = (key: PartitionKey, rowKeys: UnsafeBufferPointer<Int64>, rows: UnsafeBufferPointer<Float>)

extension ShardJob {
    /// Validates a push (unknown key, element count, duplicate key, dense/sparse kind, row keys, NaN/Inf) without the lock; returns partition indices (dense first, then sparse).
    func validate(
        workerID: UInt32, gradients: [(PartitionKey, UnsafeBufferPointer<Float>)], sparse: [SparseGradient] = []
    ) throws(StoreError) -> [Int] {
        guard !gradients.isEmpty || !sparse.isEmpty else {
            throw StoreError(.invalidArgument, "Push to job \(jobID) from worker \(workerID) carries no gradients.")
        }
        var indices: [Int] = []
        indices.reserveCapacity(gradients.count + sparse.count)
        func check(_ i: Int, _ g: UnsafeBufferPointer<Float>) throws(StoreError) {
            guard !indices.contains(i) else {
                throw StoreError(.invalidArgument, "\(describe(i)): the push from worker \(workerID) carries this partition twice.")
            }
            if let base = g.baseAddress, !VectorKernels.allFinite(base, g.count) {
                throw StoreError(.nonFinite, "\(describe(i)): gradient from worker \(workerID) contains NaN or Inf; the push was rejected.")
            }
        }
        for (key, g) in gradients {
            let i = try indexOf(key)
            guard !specs[i].isSparse else {
                throw StoreError(.invalidArgument, "\(describe(i)): an embedding partition takes sparse rows, not a dense gradient.")
            }
            guard g.count == counts[i] else {
                throw StoreError(.invalidArgument, "\(describe(i)): gradient has \(g.count) elements, the partition \(specs[i].shape) has \(counts[i]).")
            }
            try check(i, g)
            indices.append(i)
        }
        for g in sparse {
            let i = try indexOf(g.key)
            try validateSparse(i, rowKeys: g.rowKeys, rowFloats: g.rows.count)
            try check(i, g.rows)
            indices.append(i)
        }
        return indices
    }

    /// Checks that partition `i` is an embedding partition and that the keys and row floats fit it.
    func validateSparse(_ i: Int, rowKeys: UnsafeBufferPointer<Int64>, rowFloats: Int?) throws(StoreError) {
        guard specs[i].isSparse else {
            throw StoreError(.invalidArgument, "\(describe(i)): a dense partition takes dense values, not sparse rows.")
        }
        if let rowFloats {
            let (expected, o) = rowKeys.count.multipliedReportingOverflow(by: specs[i].rowWidth)
            guard !o, rowFloats == expected else {
                throw StoreError(.invalidArgument, "\(describe(i)): \(rowKeys.count) row keys need \(rowKeys.count) rows of width \(specs[i].rowWidth) (\(o ? "too many" : String(expected)) floats), got \(rowFloats) floats.")
            }
        }
        for k in rowKeys {
            if let problem = SparseRows.problem(spec: specs[i], key: k) {
                throw StoreError(.notFound, "\(describe(i)): \(problem).")
            }
        }
    }

    /// Counts a push that failed validation.
    func countRejected(_ error: StoreError) {
        state.withLock { s in
            s.counters.pushes += 1
            s.counters.rejected += 1
            if error.code == .nonFinite { s.counters.nonFiniteRejected += 1 }
        }
    }

    /// Counts an arriving push and checks its version (under the lock); returns how many versions stale it is.
    func admit(_ s: inout JobState, workerID: UInt32, version: UInt64, bytes: UInt64) throws(StoreError) -> UInt64 {
        guard !s.dropped else { throw droppedError }
        s.counters.pushes += 1
        s.counters.bytesIn += bytes
        guard version <= s.version else {
            s.counters.rejected += 1
            throw StoreError(.futureVersion, "Job \(jobID): worker \(workerID) pushed gradients for version \(version) but the shard is at version \(s.version).")
        }
        return s.version - version
    }

    /// Validates then applies (async) or accumulates (sync) one worker's push; all-or-nothing.
    func push(
        workerID: UInt32, version: UInt64, gradients: [(PartitionKey, UnsafeBufferPointer<Float>)], sparse: [SparseGradient] = []
    ) throws(StoreError) -> PushOutcome {
        let floats = gradients.reduce(0) { $0 + $1.1.count } + sparse.reduce(0) { $0 + $1.rows.count + $1.rowKeys.count * 2 }
        let bytes = UInt64(floats * MemoryLayout<Float>.stride)
        let indices: [Int]
        do throws(StoreError) {
            indices = try validate(workerID: workerID, gradients: gradients, sparse: sparse)
        } catch {
            countRejected(error)
            throw error
        }
        let (outcome, woken): (PushOutcome, [VersionWaiter]) = try state.withLock { (s) throws(StoreError) in
            let staleBy = try admit(&s, workerID: workerID, version: version, bytes: bytes)
            if isSync {
                guard staleBy == 0 else {
                    s.counters.staleDropped += 1
                    return (.dropped(staleBy: staleBy), [])
                }
                let fresh = indices.dropFirst(gradients.count).map { !s.partitions[$0].contributors.contains(workerID) }
                try makeRoom(&s, forSparse: sparse, indices: indices.dropFirst(gradients.count), accumulating: true, only: fresh)
                return accumulate(&s, workerID: workerID, indices: indices, gradients: gradients, sparse: sparse)
            }
            if let limit = consistency.maxStaleness, staleBy > UInt64(limit) {
                s.counters.staleDropped += 1
                return (.dropped(staleBy: staleBy), [])
            }
            try makeRoom(&s, forSparse: sparse, indices: indices.dropFirst(gradients.count), accumulating: false)
            for (n, i) in indices.enumerated() {
                if n < gradients.count {
                    if let g = gradients[n].1.baseAddress {
                        s.partitions[i].apply(kernel, grad: g, scale: 1, step: s.version)
                    }
                } else {
                    let g = sparse[n - gradients.count]
                    s.partitions[i].rows?.apply(kernel, rowKeys: g.rowKeys, rows: g.rows, step: s.version)
                }
            }
            s.version += 1
            s.counters.applied += 1
            fulfilCaptures(&s)
            return (.applied(newVersion: s.version), s.takeSatisfiedWaiters())
        }
        woken.resumeAll(version: outcomeVersion(outcome))
        return outcome
    }

    /// Reserves the embedding rows (and, `accumulating`, sum slots) a push's sparse part would create (`only`: which
    /// of them will be used); a refusal counts the push as rejected and changes nothing else.
    private func makeRoom(
        _ s: inout JobState, forSparse sparse: [SparseGradient], indices: ArraySlice<Int>, accumulating: Bool, only: [Bool]? = nil
    ) throws(StoreError) {
        guard !sparse.isEmpty else { return }
        var requests: [(index: Int, rowKeys: UnsafeBufferPointer<Int64>)] = []
        for (n, (g, i)) in zip(sparse, indices).enumerated() where only?[n] ?? true { requests.append((i, g.rowKeys)) }
        do throws(StoreError) {
            try makeRoom(&s, for: requests, accumulating: accumulating)
        } catch {
            s.counters.rejected += 1
            throw error
        }
    }

    /// Sync mode, version matches: adds the worker's new partitions to the sums; applies when enough workers completed.
    private func accumulate(
        _ s: inout JobState, workerID: UInt32, indices: [Int], gradients: [(PartitionKey, UnsafeBufferPointer<Float>)],
        sparse: [SparseGradient]
    ) -> (PushOutcome, [VersionWaiter]) {
        var added = 0
        for (n, i) in indices.enumerated() {
            let p = s.partitions[i]
            if p.contributors.contains(workerID) { continue }
            if n < gradients.count {
                p.accumulate(gradients[n].1.baseAddress, from: workerID)
            } else {
                let g = sparse[n - gradients.count]
                p.rows?.accumulate(rowKeys: g.rowKeys, rows: g.rows)
                p.accumulate(nil, from: workerID)
            }
            added += 1
        }
        guard added > 0 else {
            s.counters.duplicateDropped += 1
            return (.dropped(staleBy: 0), [])
        }
        let delivered = s.workerProgress[workerID, default: 0] + added
        s.workerProgress[workerID] = delivered
        if delivered == s.partitions.count { s.completedWorkers += 1 }
        if s.completedWorkers >= s.effectiveReplicas {
            applyAccumulated(&s)
            return (.applied(newVersion: s.version), s.takeSatisfiedWaiters())
        }
        return (.accumulated(count: s.completedWorkers, needed: s.effectiveReplicas), [])
    }

    /// Sync mode: applies the average of each partition's accumulated gradients and moves to the next version.
    ///
    /// Embedding partitions: each touched row's sum is scaled by 1 / the workers that delivered the partition
    /// (a worker that did not touch a row contributed a zero gradient to it), and only touched rows change.
    func applyAccumulated(_ s: inout JobState) {
        for p in s.partitions where p.contributions > 0 {
            if let rows = p.rows {
                rows.applyAccumulated(kernel, scale: 1 / Float(p.contributions), step: s.version)
            } else if let sum = p.sum {
                p.apply(kernel, grad: sum.base, scale: 1 / Float(p.contributions), step: s.version)
            }
        }
        s.resetAccumulation()
        s.version += 1
        s.counters.applied += 1
        fulfilCaptures(&s)
    }

    private func outcomeVersion(_ outcome: PushOutcome) -> UInt64 {
        if case .applied(let v) = outcome { return v }
        return 0
    }
}
