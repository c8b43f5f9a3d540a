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
