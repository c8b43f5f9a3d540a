extension ShardJob {
    /// Under the job's lock, reads the rows of `requests` (partitions `indices`, already validated) without creating
    /// any: rows the shard holds are read in place, the others get the values they would be created with, written to
    /// a scratch buffer that lives until `body` returns. Nothing is reserved from the memory budget (the scratch is
    /// the size of the answer, which the data plane admitted before asking).
    func readExisting<R>(
        requests: [(key: PartitionKey, rowKeys: UnsafeBufferPointer<Int64>)], indices: [Int], body: (UInt64, [SparseRowsView]) throws -> R
    ) throws -> R {
        try state.withLock { s in
            guard !s.dropped else { throw droppedError }
            var scratches: [UnsafeMutableBufferPointer<Float>] = []
            defer { for scratch in scratches { scratch.deallocate() } }
            var views: [SparseRowsView] = []
            views.reserveCapacity(requests.count)
            var bytes = 0
            for (r, i) in zip(requests, indices) {
                let table = s.partitions[i].rows!
                var slots: [Int] = []
                slots.reserveCapacity(r.rowKeys.count)
                var missing: [Int64] = []
                for key in r.rowKeys {
                    if let slot = table.existingSlot(for: key) {
                        slots.append(slot)
                    } else {
                        slots.append(-1 - missing.count)
                        missing.append(key)
                    }
                }
                var scratch: UnsafeMutableBufferPointer<Float>?
                if !missing.isEmpty, table.width > 0 {
                    let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: missing.count * table.width)
                    scratches.append(buffer)
                    for (j, key) in missing.enumerated() {
                        table.initialValues(for: key, into: UnsafeMutableBufferPointer(rebasing: buffer[(j * table.width)..<((j + 1) * table.width)]))
                    }
                    scratch = buffer
                }
                let base = table.arena.capacity > 0 ? UnsafePointer(table.arena.row(0)) : nil
                views.append(SparseRowsView(width: table.width, base: base, slots: slots, scratch: scratch.flatMap { UnsafePointer($0.baseAddress) }))
                bytes += slots.count * table.width * MemoryLayout<Float>.stride
            }
            s.counters.bytesOut += UInt64(bytes)
            return try body(s.version, views)
        }
    }
}
