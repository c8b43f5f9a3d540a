extension ShardJob {
    /// Validates a push (unknown key, element count, duplicate key, NaN/Inf) without the lock; returns partition indices.
    func validate(workerID: UInt32, gradients: [(PartitionKey, UnsafeBufferPointer<Float>)]) throws(StoreError) -> [Int] {
        guard !gradients.isEmpty else {
            throw StoreError(.invalidArgument, "Push to job \(jobID) from worker \(workerID) carries no gradients.")
        }
        var indices: [Int] = []
        indices.reserveCapacity(gradients.count)
        for (key, g) in gradients {
            let i = try indexOf(key)
            guard g.count == counts[i] else {
                throw StoreError(.invalidArgument, "\(describe(i)): gradient has \(g.count) elements, the partition \(specs[i].shape) has \(counts[i]).")
            }
            guard !indices.contains(i) else {
                throw StoreError(.invalidArgument, "\(describe(i)): the push from worker \(workerID) carries this partition twice.")
            }
            if let base = g.baseAddress, !VectorKernels.allFinite(base, g.count) {
                throw StoreError(.nonFinite, "\(describe(i)): gradient from worker \(workerID) contains NaN or Inf; the push was rejected.")
            }
            indices.append(i)
        }
        return indices
    }

    /// Validates then applies (async) or accumulates (sync) one worker's push; all-or-nothing.
    func push(workerID: UInt32, version: UInt64, gradients: [(PartitionKey, UnsafeBufferPointer<Float>)]) throws(StoreError) -> PushOutcome {
        let bytes = UInt64(gradients.reduce(0) { $0 + $1.1.count * MemoryLayout<Float>.stride })
        let indices: [Int]
        do throws(StoreError) {
            indices = try validate(workerID: workerID, gradients: gradients)
        } catch {
            state.withLock { s in
                s.counters.pushes += 1
                s.counters.rejected += 1
                if error.code == .nonFinite { s.counters.nonFiniteRejected += 1 }
            }
            throw error
        }
        let (outcome, woken): (PushOutcome, [VersionWaiter]) = try state.withLock { (s) throws(StoreError) in
            guard !s.dropped else { throw droppedError }
            s.counters.pushes += 1
            s.counters.bytesIn += bytes
            guard version <= s.version else {
                s.counters.rejected += 1
                throw StoreError(.futureVersion, "Job \(jobID): worker \(workerID) pushed gradients for version \(version) but the shard is at version \(s.version).")
            }
            let staleBy = s.version - version
            if isSync {
                guard staleBy == 0 else {
                    s.counters.staleDropped += 1
                    return (.dropped(staleBy: staleBy), [])
                }
                return accumulate(&s, workerID: workerID, indices: indices, gradients: gradients)
            }
            if let limit = consistency.maxStaleness, staleBy > UInt64(limit) {
                s.counters.staleDropped += 1
                return (.dropped(staleBy: staleBy), [])
            }
            for (n, i) in indices.enumerated() {
                if let g = gradients[n].1.baseAddress {
                    s.partitions[i].apply(kernel, grad: g, scale: 1, step: s.version)
                }
            }
            s.version += 1
            s.counters.applied += 1
            return (.applied(newVersion: s.version), s.takeSatisfiedWaiters())
        }
        woken.resumeAll(version: outcomeVersion(outcome))
        return outcome
    }

    /// Sync mode, version matches: adds the worker's new partitions to the sums; applies when enough workers completed.
    private func accumulate(
        _ s: inout JobState, workerID: UInt32, indices: [Int], gradients: [(PartitionKey, UnsafeBufferPointer<Float>)]
    ) -> (PushOutcome, [VersionWaiter]) {
        var added = 0
        for (n, i) in indices.enumerated() {
            let p = s.partitions[i]
            if p.contributors.contains(workerID) { continue }
            p.accumulate(gradients[n].1.baseAddress, from: workerID)
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
    func applyAccumulated(_ s: inout JobState) {
        for p in s.partitions where p.contributions > 0 {
            if let sum = p.sum {
                p.apply(kernel, grad: sum.base, scale: 1 / Float(p.contributions), step: s.version)
            }
        }
        s.resetAccumulation()
        s.version += 1
        s.counters.applied += 1
    }

    private func outcomeVersion(_ outcome: PushOutcome) -> UInt64 {
        if case .applied(let v) = outcome { return v }
        return 0
    }
}
