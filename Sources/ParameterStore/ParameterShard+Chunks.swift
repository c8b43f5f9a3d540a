extension ParameterShard {
    /// Consistent read of row ranges of dense partitions at one version (chunked pulls): `body` gets the version and,
    /// per request, the floats of rows `rows` of that partition (row width × rows.count), read in place under the job's lock.
    ///
    /// Throws `StoreError`: unknown job or key, an embedding partition, or a range outside the partition's rows.
    public func read<R>(
        jobID: UInt64, ranges: [(key: PartitionKey, rows: Range<Int>)], _ body: (UInt64, [UnsafeBufferPointer<Float>]) throws -> R
    ) throws -> R {
        let job = try job(jobID)
        var slices: [(index: Int, elements: Range<Int>)] = []
        slices.reserveCapacity(ranges.count)
        for r in ranges {
            let i = try job.denseIndexOf(r.key)
            let spec = job.specs[i]
            guard r.rows.lowerBound >= 0, r.rows.upperBound <= spec.rowCount else {
                throw StoreError(.invalidArgument, "\(job.describe(i)): rows \(r.rows.lowerBound)..<\(r.rows.upperBound) are outside the partition's \(spec.rowCount) rows.")
            }
            slices.append((i, (r.rows.lowerBound * spec.rowWidth)..<(r.rows.upperBound * spec.rowWidth)))
        }
        return try job.state.withLock { s in
            guard !s.dropped else { throw job.droppedError }
            var buffers: [UnsafeBufferPointer<Float>] = []
            buffers.reserveCapacity(slices.count)
            var bytes = 0
            for (i, elements) in slices {
                buffers.append(UnsafeBufferPointer(rebasing: s.partitions[i].values.readOnly[elements]))
                bytes += elements.count * MemoryLayout<Float>.stride
            }
            s.counters.bytesOut += UInt64(bytes)
            return try body(s.version, buffers)
        }
    }
}

extension ParameterShard {
    /// Applies (async) or accumulates (sync) row chunks of one worker's dense gradients, computed at `version`.
    ///
    /// Each chunk is rows `rowOffset ..< rowOffset + gradient.count / rowWidth` of a partition. Sync: chunks are added
    /// into the version's sums; a partition counts as delivered by the worker once all its rows arrived, and the
    /// worker counts towards N once every partition held here is delivered (the exact average is applied once, as
    /// with whole pushes). A worker must not send the same rows twice for a version. Async: each chunk is applied on
    /// arrival (the optimizer is elementwise, so rows are independent) with the current version as its step, and the
    /// version moves by one when the worker has delivered as many rows as all dense partitions here hold — once per
    /// complete push, so versions, schedules and Adam's bias correction count pushes, not chunks.
    public func pushChunks(
        jobID: UInt64, workerID: UInt32, version: UInt64,
        chunks: [(PartitionKey, rowOffset: Int, gradient: UnsafeBufferPointer<Float>)]
    ) throws(StoreError) -> PushOutcome {
        try job(jobID).pushChunks(workerID: workerID, version: version, chunks.map { ($0.0, $0.rowOffset, $0.gradient) })
    }
}

extension ParameterShard {
    /// A dense push as the data plane receives it: with `chunked` false (no entry flagged as a row range) every entry
    /// is a whole partition and goes through `push`; otherwise the whole push goes through `pushChunks`.
    public func push(
        jobID: UInt64, workerID: UInt32, version: UInt64, chunked: Bool,
        ranges: [(PartitionKey, rowOffset: Int, gradient: UnsafeBufferPointer<Float>)]
    ) throws(StoreError) -> PushOutcome {
        let job = try job(jobID)
        if !chunked {
            return try push(jobID: jobID, workerID: workerID, version: version, gradients: ranges.map { ($0.0, $0.gradient) })
        }
        return try job.pushChunks(workerID: workerID, version: version, ranges.map { ($0.0, $0.rowOffset, $0.gradient) })
    }
}
