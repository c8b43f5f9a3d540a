/// One row range of a dense partition's gradient: rows `rowOffset ..< rowOffset + gradient.count / rowWidth`.
typealias GradientChunk = (key: PartitionKey, rowOffset: Int, gradient: UnsafeBufferPointer<Float>)

extension ShardJob {
    /// Validates chunks (known dense partition, whole rows inside the partition, finite); returns (index, element range, rows).
    func validateChunks(workerID: UInt32, _ chunks: [GradientChunk]) throws(StoreError) -> [(Int, Range<Int>, Int)] {
        guard !chunks.isEmpty else {
            throw StoreError(.invalidArgument, "Chunked push to job \(jobID) from worker \(workerID) carries no chunks.")
        }
        var out: [(Int, Range<Int>, Int)] = []
        for c in chunks {
            let i = try denseIndexOf(c.key)
            let width = specs[i].rowWidth
            let rows = width > 0 ? c.gradient.count / width : 0
            // rowOffset comes from the frame: any Int64, so the end is computed with an overflow check.
            let (end, overflow) = c.rowOffset.addingReportingOverflow(rows)
            guard width > 0, rows * width == c.gradient.count, c.rowOffset >= 0, !overflow, end <= specs[i].rowCount else {
                throw StoreError(.invalidArgument, "\(describe(i)): a chunk of \(c.gradient.count) elements at row \(c.rowOffset) is not whole rows of \(width) inside the partition's \(specs[i].rowCount) rows.")
            }
            if let base = c.gradient.baseAddress, !VectorKernels.allFinite(base, c.gradient.count) {
                throw StoreError(.nonFinite, "\(describe(i)): gradient chunk from worker \(workerID) contains NaN or Inf; the push was rejected.")
            }
            out.append((i, (c.rowOffset * width)..<(end * width), rows))
        }
        return out
    }

    /// Applies (async) or accumulates (sync) chunks of one worker's push; see `ParameterShard.pushChunks`.
    func pushChunks(workerID: UInt32, version: UInt64, _ chunks: [GradientChunk]) throws(StoreError) -> PushOutcome {
        let bytes = UInt64(chunks.reduce(0) { $0 + $1.gradient.count } * MemoryLayout<Float>.stride)
        let checked: [(Int, Range<Int>, Int)]
        do throws(StoreError) {
            checked = try validateChunks(workerID: workerID, chunks)
        } catch {
            countRejected(error)
            throw error
        }
        let total = denseRowTotal
        let (outcome, woken): (PushOutcome, [VersionWaiter]) = try state.withLock { (s) throws(StoreError) in
            let staleBy = try admit(&s, workerID: workerID, version: version, bytes: bytes)
            if isSync {
                guard staleBy == 0 else {
                    s.counters.staleDropped += 1
                    return (.dropped(staleBy: staleBy), [])
                }
                var added = 0, completed = 0
                for (n, (i, elements, rows)) in checked.enumerated() {
                    let p = s.partitions[i]
                    guard !p.contributors.contains(workerID), let g = chunks[n].gradient.baseAddress else { continue }
                    added += 1
                    if p.accumulateChunk(g, elements: elements, rows: rows, from: workerID) { completed += 1 }
                }
                guard added > 0 else {
                    s.counters.duplicateDropped += 1
                    return (.dropped(staleBy: 0), [])
                }
                if completed > 0 {
                    let delivered = s.workerProgress[workerID, default: 0] + completed
                    s.workerProgress[workerID] = delivered
                    if delivered == s.partitions.count { s.completedWorkers += 1 }
                }
                if s.completedWorkers >= s.effectiveReplicas {
                    applyAccumulated(&s)
                    return (.applied(newVersion: s.version), s.takeSatisfiedWaiters())
                }
                return (.accumulated(count: s.completedWorkers, needed: s.effectiveReplicas), [])
            }
            if let limit = consistency.maxStaleness, staleBy > UInt64(limit) {
                s.counters.staleDropped += 1
                return (.dropped(staleBy: staleBy), [])
            }
            var rowsDelivered = 0
            for (n, (i, elements, rows)) in checked.enumerated() {
                guard let g = chunks[n].gradient.baseAddress else { continue }
                let p = s.partitions[i]
                kernel.apply(
                    values: p.values.base + elements.lowerBound, slot0: p.slots.first.map { $0.base + elements.lowerBound },
                    slot1: p.slots.count > 1 ? p.slots[1].base + elements.lowerBound : nil,
                    grad: g, count: elements.count, scale: 1, step: s.version)
                rowsDelivered += rows
            }
            let delivered = s.asyncChunkRows[workerID, default: 0] + rowsDelivered
            guard delivered >= total else {
                s.asyncChunkRows[workerID] = delivered
                return (.accumulated(count: 0, needed: 1), [])
            }
            s.asyncChunkRows[workerID] = nil
            s.version += 1
            s.counters.applied += 1
            fulfilCaptures(&s)
            return (.applied(newVersion: s.version), s.takeSatisfiedWaiters())
        }
        if case .applied(let v) = outcome { woken.resumeAll(version: v) }
        return outcome
    }
}
