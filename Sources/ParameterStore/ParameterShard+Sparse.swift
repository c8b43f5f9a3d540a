/// Pulled embedding rows in request order, read in place from the shard's arena (and, for a pull that creates no row,
/// from a scratch copy of the initial values of rows the shard does not hold); valid only inside the `pullSparse` body.
public struct SparseRowsView {
    /// Floats per row.
    public let width: Int
    /// Rows (one per requested key, repeats included).
    public var count: Int { slots.count }
    let base: UnsafePointer<Float>?
    /// Per row: its arena slot (≥ 0), or `-1 - j` for row j of `scratch`.
    let slots: [Int]
    let scratch: UnsafePointer<Float>?

    init(width: Int, base: UnsafePointer<Float>?, slots: [Int], scratch: UnsafePointer<Float>? = nil) {
        self.width = width
        self.base = base
        self.slots = slots
        self.scratch = scratch
    }

    /// Where row `i`'s values start.
    private func start(_ i: Int) -> UnsafePointer<Float>? {
        let s = slots[i]
        return s >= 0 ? base.map { $0 + s * width } : scratch.map { $0 + (-1 - s) * width }
    }

    /// Row `i` (0 ..< count).
    public func row(_ i: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: start(i), count: width)
    }

    /// Copies every row, in order, into `destination` (at least `count × width` floats).
    public func copy(into destination: UnsafeMutableRawBufferPointer) {
        guard width > 0, let out = destination.baseAddress else { return }
        let rowBytes = width * MemoryLayout<Float>.stride
        for i in slots.indices {
            guard let source = start(i) else { continue }
            (out + i * rowBytes).copyMemory(from: source, byteCount: rowBytes)
        }
    }
}

extension ParameterShard {
    /// Reads embedding rows of several partitions at one version under the job's lock, creating missing rows from
    /// the initializer; `body` gets the version and one view per request, rows in request order.
    ///
    /// Throws `StoreError`: unknown job or partition, a dense partition, a key outside a bounded vocabulary, or new
    /// rows beyond the shard's memory limit (`resourceExhausted`; nothing is created then). Keep the body short:
    /// pushes to the job wait while it runs.
    ///
    /// With `creating` false (a serving replica's read, `EntryFlags.existingRowsOnly`) no row is created and no memory
    /// is reserved: a row the shard does not hold is answered with the values it would be created with.
    public func pullSparse<R>(
        jobID: UInt64, requests: [(key: PartitionKey, rowKeys: UnsafeBufferPointer<Int64>)], creating: Bool = true,
        body: (UInt64, [SparseRowsView]) throws -> R
    ) throws -> R {
        let job = try job(jobID)
        var indices: [Int] = []
        indices.reserveCapacity(requests.count)
        for r in requests {
            let i = try job.indexOf(r.key)
            try job.validateSparse(i, rowKeys: r.rowKeys, rowFloats: nil)
            indices.append(i)
        }
        if !creating { return try job.readExisting(requests: requests, indices: indices, body: body) }
        return try job.state.withLock { s in
            guard !s.dropped else { throw job.droppedError }
            try job.makeRoom(&s, for: zip(indices, requests).map { ($0, $1.rowKeys) }, accumulating: false)
            var slotLists: [[Int]] = []
            slotLists.reserveCapacity(requests.count)
            for (r, i) in zip(requests, indices) {
                let table = s.partitions[i].rows!
                slotLists.append(r.rowKeys.map { table.slot(for: $0) })
            }
            // Views are made after every row exists: creating rows may move the arena.
            var views: [SparseRowsView] = []
            var bytes = 0
            for (slots, i) in zip(slotLists, indices) {
                let table = s.partitions[i].rows!
                let base = table.arena.capacity > 0 ? UnsafePointer(table.arena.row(0)) : nil
                views.append(SparseRowsView(width: table.width, base: base, slots: slots))
                bytes += slots.count * table.width * MemoryLayout<Float>.stride
            }
            s.counters.bytesOut += UInt64(bytes)
            return try body(s.version, views)
        }
    }

    /// Reads the rows of `rowKeys` (in order, repeats allowed) of one embedding partition, creating missing rows.
    public func pullSparse<R>(
        jobID: UInt64, key: PartitionKey, rowKeys: UnsafeBufferPointer<Int64>, body: (UInt64, SparseRowsView) throws -> R
    ) throws -> R {
        try pullSparse(jobID: jobID, requests: [(key, rowKeys)]) { version, views in try body(version, views[0]) }
    }

    /// The number of embedding rows created so far in one partition.
    public func sparseRowCount(jobID: UInt64, key: PartitionKey) throws(StoreError) -> Int {
        let job = try job(jobID)
        let i = try job.indexOf(key)
        return try job.state.withLock { (s) throws(StoreError) in
            guard let rows = s.partitions[i].rows else {
                throw StoreError(.invalidArgument, "\(job.describe(i)): not an embedding partition.")
            }
            return rows.rowCount
        }
    }
}
