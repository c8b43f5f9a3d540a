extension ShardJob {
    /// Validates a push, then performs what the aggregation rule answers; all-or-nothing (a refused push changes
    /// nothing but the counters).
    func push(_ request: PushRequest) throws(StoreError) -> PushOutcome {
        let gradients: [CheckedGradient]
        do throws(StoreError) {
            gradients = try validate(request)
        } catch {
            countRejected(error)
            throw error
        }
        let bytes = gradients.reduce(UInt64(0)) { $0 + $1.bytes }
        let delivery = Delivery(worker: request.workerID, version: request.version, parts: gradients.map(\.part))
        let hasRows = gradients.contains { if case .sparse = $0.payload { true } else { false } }
        let (outcome, woken): (PushOutcome, [VersionWaiter]) = try state.withLock { (s) throws(StoreError) in
            guard !s.dropped else { throw droppedError }
            s.counters.pushes += 1
            s.counters.bytesIn += bytes
            // Embedding rows are reserved once the rule has said which parts are new: its state before is kept to undo
            // the delivery when they do not fit.
            let before: AggregationStateMachine? = hasRows ? s.aggregation : nil
            switch s.aggregation.deliver(delivery) {
            case .refuse(let refusal):
                s.counters.rejected += 1
                throw refusalError(refusal, request, gradients)
            case .dropStale(let staleBy):
                s.counters.staleDropped += 1
                return (.dropped(staleBy: staleBy), [])
            case .duplicate:
                s.counters.duplicateDropped += 1
                return (.duplicate, [])
            case .accumulate(let parts, let count, let needed):
                try reserveRows(&s, gradients, parts, accumulating: true, undo: before)
                for n in parts { add(s.partitions[gradients[n].part.partition], gradients[n]) }
                return (.accumulated(count: count, needed: needed), [])
            case .apply(let update):
                try reserveRows(&s, gradients, update.summed + update.direct, accumulating: isSync, undo: before)
                return perform(&s, update, gradients)
            }
        }
        if case .applied(let version) = outcome { woken.resumeAll(version: version) }
        return outcome
    }

    /// Sync: sets the effective N (lowering it to at most the workers already complete applies their gradients);
    /// returns the N before and the version after.
    func setEffectiveReplicas(_ n: Int) throws(StoreError) -> (old: Int, version: UInt64) {
        let (old, woken, version): (Int, [VersionWaiter], UInt64) = try state.withLock { (s) throws(StoreError) in
            guard !s.dropped else { throw droppedError }
            let old = s.aggregation.effectiveReplicas
            switch s.aggregation.setEffectiveReplicas(n) {
            case .refuse(let refusal): throw refusalError(refusal, nil, [])
            case .apply(let update): return (old, perform(&s, update, []).1, s.version)
            case .accumulate, .dropStale, .duplicate: return (old, [], s.version)
            }
        }
        woken.resumeAll(version: version)
        return (old, version)
    }

    /// Counts a push that failed validation.
    func countRejected(_ error: StoreError) {
        state.withLock { s in
            s.counters.pushes += 1
            s.counters.rejected += 1
            if error.code == .nonFinite { s.counters.nonFiniteRejected += 1 }
        }
    }

    /// Reserves the embedding rows (and, `accumulating`, sum slots) the sparse gradients among `parts` would create;
    /// when they do not fit, puts the rule's state back to `before`, counts the push as rejected and changes nothing else.
    private func reserveRows(
        _ s: inout ShardJobState, _ gradients: [CheckedGradient], _ parts: [Int], accumulating: Bool, undo before: AggregationStateMachine?
    ) throws(StoreError) {
        guard let before else { return }
        var requests: [(index: Int, rowKeys: UnsafeBufferPointer<Int64>)] = []
        for n in parts {
            if case .sparse(let rowKeys, _) = gradients[n].payload { requests.append((gradients[n].part.partition, rowKeys)) }
        }
        do throws(StoreError) {
            try makeRoom(&s, for: requests, accumulating: accumulating)
        } catch {
            s.aggregation = before
            s.counters.rejected += 1
            throw error
        }
    }

    /// Performs an update: adds the new parts to the sums, applies the direct parts or the averages, and (when the
    /// version moved) counts it, fulfils the checkpoints due and returns the satisfied waiters.
    private func perform(_ s: inout ShardJobState, _ update: Update, _ gradients: [CheckedGradient]) -> (PushOutcome, [VersionWaiter]) {
        for n in update.summed { add(s.partitions[gradients[n].part.partition], gradients[n]) }
        for n in update.direct {
            let p = s.partitions[gradients[n].part.partition]
            switch gradients[n].payload {
            case .dense(let g, let elements):
                if let g = g.baseAddress { p.apply(kernel, grad: g, elements: elements, scale: 1, step: update.step) }
            case .sparse(let rowKeys, let rows):
                p.rows?.apply(kernel, rowKeys: rowKeys, rows: rows, step: update.step)
            }
        }
        for a in update.averages {
            let p = s.partitions[a.partition]
            let scale = 1 / Float(a.count)
            if let rows = p.rows {
                rows.applyAccumulated(kernel, scale: scale, step: update.step)
            } else if let sum = p.sum {
                let width = p.spec.rowWidth
                let elements = (a.rows.lowerBound * width)..<(a.rows.upperBound * width)
                p.apply(kernel, grad: sum.base + elements.lowerBound, elements: elements, scale: scale, step: update.step)
            }
        }
        guard let version = update.newVersion else { return (.accumulated(count: 0, needed: 1), []) }
        if isSync { s.resetSums() }
        s.counters.applied += 1
        fulfilCaptures(&s)
        return (.applied(newVersion: version), s.takeSatisfiedWaiters())
    }

    /// Sync: adds one gradient to its partition's sums.
    private func add(_ p: PartitionStorage, _ g: CheckedGradient) {
        switch g.payload {
        case .dense(let grad, let elements):
            if g.part.rows == nil {
                p.accumulate(grad.baseAddress)
            } else if let base = grad.baseAddress {
                p.accumulate(base, elements: elements)
            }
        case .sparse(let rowKeys, let rows):
            p.rows?.accumulate(rowKeys: rowKeys, rows: rows)
        }
    }
}
