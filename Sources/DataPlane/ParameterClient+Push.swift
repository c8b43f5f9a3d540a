import TensorWire

/// The rows of one embedding variable in a step: keys (distinct or not) and `keys.count × width` floats, row i for key i.
public struct SparseRowBuffer: @unchecked Sendable {
    /// The embedding variable.
    public var variableID: UInt32
    /// Row keys.
    public var keys: [Int64]
    /// Row memory, owned by the caller.
    public var rows: UnsafeMutableBufferPointer<Float>

    /// Describes one variable's rows.
    public init(variableID: UInt32, keys: [Int64], rows: UnsafeMutableBufferPointer<Float>) {
        self.variableID = variableID
        self.keys = keys
        self.rows = rows
    }
}

extension ParameterClient {
    /// One shard's part of a multi-variable sparse exchange: per entry, the route and the positions (into the table's keys).
    private struct LinkRows {
        var entries: [(table: Int, route: PartitionRoute, positions: [Int])] = []
    }

    /// Groups the keys of `tables` by shard link: each link gets the partitions it holds; `includeEmpty` keeps partitions none of the keys fall in.
    private func rowsByLink(_ tables: [SparseRowBuffer], includeEmpty: Bool) throws -> [LinkRows] {
        var out = Array(repeating: LinkRows(), count: links.count)
        for (t, table) in tables.enumerated() {
            let parts = try sparsePartitions(table.variableID)
            let width = parts[0].route.shape.rowWidth
            guard table.rows.count == table.keys.count * width else {
                throw RuntimeFailure(.invalidArgument, "variable \(table.variableID): \(table.keys.count) keys of width \(width) need \(table.keys.count * width) floats, the buffer holds \(table.rows.count)")
            }
            for (p, positions) in Self.group(table.keys, partitions: parts.count).enumerated() where includeEmpty || !positions.isEmpty {
                out[parts[p].link].entries.append((t, parts[p].route, positions))
            }
        }
        return out
    }

    /// Pulls the rows of several embedding variables with one request per shard (all entries answered at one version),
    /// waiting (sync mode) until shard i is at least at `minimumVersions[i]`. Returns the versions per shard link
    /// (shards not asked keep the version they last reported). With `everyShard`, every shard holding a partition of the
    /// tables is asked (an empty entry when no key is its own), so each reports its version. With `creating` false
    /// (serving) the shards create no row: one they do not hold is answered with the values it would be created with.
    @discardableResult
    public func pullRows(
        _ tables: [SparseRowBuffer], minimumVersions: [UInt64]? = nil, everyShard: Bool = false, creating: Bool = true
    ) async throws -> [UInt64] {
        let byLink = try rowsByLink(tables, includeEmpty: everyShard)
        let requestID = UInt64.random(in: 1...UInt64.max)
        let result = try await withThrowingTaskGroup(of: (Int, UInt64).self) { group in
            for (l, part) in byLink.enumerated() where !part.entries.isEmpty {
                let minimum = minimumVersions?[l] ?? 0
                group.addTask(executorPreference: globalConcurrentExecutor) {
                    (l, try await self.pullRows(link: self.links[l], part, tables: tables, minimum: minimum, requestID: requestID, creating: creating))
                }
            }
            var pulled = versions.value
            for try await (l, v) in group { pulled[l] = v }
            return pulled
        }
        versions.value = result
        return result
    }

    /// The distinct keys at `positions` of `keys` (first-seen order) and, per position, the index of its key among them:
    /// a shard answers each row once, the worker copies it to every position asking for it.
    static func distinctKeys(_ keys: [Int64], at positions: [Int]) -> (keys: [Int64], slots: [Int]) {
        var distinct: [Int64] = []
        var slotOf: [Int64: Int] = [:]
        var slots: [Int] = []
        slots.reserveCapacity(positions.count)
        for p in positions {
            let k = keys[p]
            if let s = slotOf[k] {
                slots.append(s)
            } else {
                slotOf[k] = distinct.count
                slots.append(distinct.count)
                distinct.append(k)
            }
        }
        return (distinct, slots)
    }

    private func pullRows(
        link: ShardLink, _ part: LinkRows, tables: [SparseRowBuffer], minimum: UInt64, requestID: UInt64, creating: Bool
    ) async throws -> UInt64 {
        let header = FrameHeader(kind: .pullRequest, requestID: requestID, jobID: jobID, senderID: workerID)
        // Shards refuse a pull listing one row key twice: ask for each key once.
        let asked = part.entries.map { Self.distinctKeys(tables[$0.table].keys, at: $0.positions) }
        let entries = zip(part.entries, asked).map { e, a in
            var entry = WireEntry.sparseKeys(
                variableID: e.route.variableID, partition: e.route.partition, version: minimum, dtype: .f32, shape: e.route.shape,
                rowKeys: a.keys)
            if !creating { entry.header.flags.insert(.existingRowsOnly) }
            return entry
        }
        let request = WireFormat.encode(WireFrame(header: header, entries: entries))
        let response = try await link.channel.exchange(.pull, request: request, timeout: timeout)
        return try response.withUnsafeBytes { raw in
            let view: FrameView
            do { view = try WireFormat.decodeView(raw) } catch {
                throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed sparse pull response: \(error)")
            }
            guard view.entries.count == part.entries.count else {
                throw RuntimeFailure(.internalError, "shard \(link.address) answered \(view.entries.count) sparse entries, asked for \(part.entries.count)")
            }
            var version: UInt64 = 0
            for ((e, asked), distinct) in zip(zip(view.entries, part.entries), asked) {
                let width = asked.route.shape.rowWidth, h = e.header
                guard h.encoding == .sparseRows, h.dtype == .f32, h.variableID == asked.route.variableID, h.partition == asked.route.partition,
                    h.rowCount == distinct.keys.count, h.payloadLength == distinct.keys.count * width * 4
                else {
                    throw RuntimeFailure(.internalError, "shard \(link.address) answered a sparse pull of \(distinct.keys.count) rows of variable \(asked.route.variableID) with something else")
                }
                let payload = e.payload(in: raw)
                if let out = tables[asked.table].rows.baseAddress, let src = payload.baseAddress, width > 0 {
                    let rowBytes = width * 4
                    for (position, slot) in zip(asked.positions, distinct.slots) {
                        UnsafeMutableRawPointer(out + position * width).copyMemory(from: src + slot * rowBytes, byteCount: rowBytes)
                    }
                }
                version = h.version
            }
            return version
        }
    }

    /// Pushes one step's gradients — the only push: each shard gets its dense partitions and the rows of its embedding
    /// partitions in one frame tagged with `versions[link]`, so the shard applies (async) or counts (sync) the whole step
    /// at once. Every embedding partition a shard holds gets an entry, empty when no key is its own (sync mode then
    /// counts the worker as having delivered it). A shard whose dense partitions need chunking gets them in chunk
    /// messages, and its rows in a push of their own; a shard with only dense partitions gets them encoded straight
    /// from the gradient buffers into the transport's.
    public func push(_ gradients: StepGradients, versions pulled: [UInt64]) async throws -> PushSummary {
        let tables = gradients.rows
        let byLink = try rowsByLink(tables, includeEmpty: true)
        let requestID = UInt64.random(in: 1...UInt64.max)
        return try await withThrowingTaskGroup(of: (verdict: PushVerdict, version: UInt64).self) { group in
            for (l, link) in links.enumerated() {
                let version = pulled[l], part = byLink[l]
                let routes = gradients.dense == nil ? [] : link.routes
                let chunked = routes.contains { $0.elementCount * 4 > chunkLimitBytes }
                if chunked, let dense = gradients.dense {
                    group.addTask(executorPreference: globalConcurrentExecutor) { try await self.pushChunked(link, version: version, requestID: requestID, gradients: dense) }
                }
                let dense = chunked ? [] : routes
                if part.entries.isEmpty, let buffers = gradients.dense {
                    guard !dense.isEmpty else { continue }
                    group.addTask(executorPreference: globalConcurrentExecutor) { try await self.pushDense(link, version: version, requestID: requestID, gradients: buffers) }
                    continue
                }
                guard !dense.isEmpty || !part.entries.isEmpty else { continue }
                group.addTask(executorPreference: globalConcurrentExecutor) {
                    try await self.pushMixed(link: link, dense: dense, part, gradients: gradients.dense, tables: tables, version: version, requestID: requestID)
                }
            }
            var summary = PushSummary()
            for try await outcome in group { summary.add(outcome.verdict, version: outcome.version) }
            return summary
        }
    }

    /// Pushes a shard's dense partitions and embedding rows in one frame.
    private func pushMixed(
        link: ShardLink, dense: [PartitionRoute], _ part: LinkRows, gradients: VariableBuffers?, tables: [SparseRowBuffer], version: UInt64,
        requestID: UInt64
    ) async throws -> (verdict: PushVerdict, version: UInt64) {
        let header = FrameHeader(kind: .pushRequest, requestID: requestID, jobID: jobID, senderID: workerID)
        let entries =
            dense.map { EntryHeader.dense(variableID: $0.variableID, partition: $0.partition, version: version, dtype: .f32, shape: $0.shape) }
            + part.entries.map {
                EntryHeader.sparse(
                    variableID: $0.route.variableID, partition: $0.route.partition, version: version, dtype: .f32, shape: $0.route.shape,
                    rowCount: $0.positions.count)
            }
        let size = WireFormat.encodedSize(header: header, entries: entries)
        let request = try [UInt8](unsafeUninitializedCapacity: size) { out, count in
            count = try WireFormat.encode(header: header, entries: entries, into: UnsafeMutableRawBufferPointer(out)) { index, destination in
                if index < dense.count, let gradients {
                    destination.copyPayload(from: UnsafeRawBufferPointer(gradients.slice(dense[index])))
                    return
                }
                let e = part.entries[index - dense.count], table = tables[e.table], width = e.route.shape.rowWidth
                for (i, position) in e.positions.enumerated() { destination.rowKeys[i] = table.keys[position] }
                guard let src = table.rows.baseAddress, let dst = destination.payload.baseAddress, width > 0 else { return }
                let rowBytes = width * 4
                for (i, position) in e.positions.enumerated() {
                    (dst + i * rowBytes).copyMemory(from: src + position * width, byteCount: rowBytes)
                }
            }
        }
        let response = try await link.channel.exchange(.push, request: request, timeout: timeout)
        return try response.withUnsafeBytes { raw in
            let view: FrameView
            do { view = try WireFormat.decodeView(raw) } catch {
                throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed push response: \(error)")
            }
            return (PushVerdict(view.header), view.entries.first?.header.version ?? version)
        }
    }
}
