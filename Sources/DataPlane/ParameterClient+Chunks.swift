import TensorWire

extension ParameterClient {
    /// Default largest payload of one data-plane message (2 MiB). Measured on the 2-core loopback benchmark with 2 in
    /// flight (`scripts/bench push-pull`): 2 MiB chunks stay in cache between the socket copy, the CRC and the apply;
    /// 1 MiB paid more per message than it saved, 4 MiB and 16 MiB spilled.
    public static let defaultChunkLimitBytes = 2 << 20

    /// Chunk messages of one pull or push kept in flight to a shard at once: while the shard applies (or encodes) one,
    /// the next one crosses the wire. 2 measured fastest on the 2-core loopback benchmark (1: 15–25 % slower, 3–4: no
    /// better); a larger window would pay where the ends are on different machines with more latency between them.
    static let chunksInFlight = 2

    /// One pull message's worth of row ranges: (route index, first row, rows).
    typealias ChunkPlan = [[(route: Int, row: Int, rows: Int)]]

    /// Splits routes into messages whose payloads stay within `limit` bytes (at least one row per chunk).
    static func planChunks(_ routes: [PartitionRoute], limit: Int) -> ChunkPlan {
        var plan: ChunkPlan = []
        var current: [(route: Int, row: Int, rows: Int)] = []
        var bytes = 0
        for (i, r) in routes.enumerated() {
            let rowCount = r.shape.rank == 0 ? 1 : r.shape.dims[0]
            let rowBytes = (r.shape.rank == 0 ? 1 : r.shape.rowWidth) * 4
            var row = 0
            while row < rowCount {
                let room = (limit - bytes) / max(rowBytes, 1)
                if room < 1 && !current.isEmpty {
                    plan.append(current)
                    current = []
                    bytes = 0
                    continue
                }
                let take = min(rowCount - row, max(room, 1))
                current.append((i, row, take))
                bytes += take * rowBytes
                row += take
            }
        }
        if !current.isEmpty { plan.append(current) }
        return plan
    }

    /// Pulls a shard's partitions in messages of at most `chunkLimitBytes` of payload, up to `chunksInFlight` at once so
    /// one message's decoding overlaps the next one's transfer, each decoded straight into the variable buffers. Every
    /// message may long-poll for `minimum`. Returns the lowest version the messages carried (async jobs may move between
    /// chunks; sync jobs do not, since this worker has not pushed yet).
    func pullChunked(_ link: ShardLink, minimum: UInt64, requestID: UInt64, into parameters: VariableBuffers) async throws -> UInt64 {
        let plan = Self.planChunks(link.routes, limit: chunkLimitBytes)
        let versions = try await inFlight(plan.count) { index in
            try await self.pullChunk(link, plan[index], minimum: minimum, requestID: requestID, into: parameters)
        }
        return versions.min() ?? minimum
    }

    private func pullChunk(
        _ link: ShardLink, _ message: [(route: Int, row: Int, rows: Int)], minimum: UInt64, requestID: UInt64, into parameters: VariableBuffers
    ) async throws -> UInt64 {
        let header = FrameHeader(kind: .pullRequest, requestID: requestID, jobID: jobID, senderID: workerID)
        let entries = message.map { c -> WireEntry in
            let r = link.routes[c.route]
            let shape = r.shape.rank == 0 ? Shape([1]) : Shape([c.rows] + r.shape.dims.dropFirst())
            return WireEntry(header: .chunkRequest(variableID: r.variableID, partition: r.partition, version: minimum, shape: shape, rowOffset: c.row))
        }
        let request = WireFormat.encode(WireFrame(header: header, entries: entries))
        return try await link.channel.exchange(.pull, requestBytes: request.count, encode: { out in
            request.withUnsafeBytes { out.copyMemory(from: $0) }
            return request.count
        }, timeout: timeout) { raw in
            let view: FrameView
            do { view = try WireFormat.decodeView(raw, checkingPayloads: false) } catch {
                throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed chunked pull response: \(error)")
            }
            guard view.entries.count == message.count else {
                throw RuntimeFailure(.internalError, "shard \(link.address) answered \(view.entries.count) chunks, asked for \(message.count)")
            }
            var version: UInt64 = 0
            for (entry, c) in zip(view.entries, message) {
                let route = link.routes[c.route]
                let width = route.shape.rank == 0 ? 1 : route.shape.rowWidth
                let h = entry.header
                guard h.variableID == route.variableID, h.partition == route.partition, h.dtype == .f32,
                    h.rowOffset == (route.shape.rank == 0 ? 0 : c.row), h.payloadLength == c.rows * width * 4
                else {
                    throw RuntimeFailure(.internalError, "shard \(link.address) answered variable \(h.variableID)/\(h.partition) rows from \(h.rowOffset) with \(h.payloadLength) bytes; expected rows \(c.row)..<\(c.row + c.rows)")
                }
                let whole = parameters.slice(route)
                let destination = UnsafeMutableBufferPointer(rebasing: whole[(c.row * width)..<((c.row + c.rows) * width)])
                do { try entry.copyPayloadChecked(in: raw, to: UnsafeMutableRawBufferPointer(destination)) } catch {
                    throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed chunked pull response: \(error)")
                }
                version = h.version
            }
            return version
        }
    }

    /// Runs `body` for indices `0..<count` with at most `chunksInFlight` running at once; results in index order.
    func inFlight<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var results = [T?](repeating: nil, count: count)
            var next = 0
            while next < min(count, Self.chunksInFlight) {
                let index = next
                group.addTask(executorPreference: globalConcurrentExecutor) { (index, try await body(index)) }
                next += 1
            }
            while let (index, value) = try await group.next() {
                results[index] = value
                if next < count {
                    let index = next
                    group.addTask(executorPreference: globalConcurrentExecutor) { (index, try await body(index)) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }
}

extension ParameterClient {
    /// Pushes a shard's gradients in messages of at most `chunkLimitBytes` of payload, up to `chunksInFlight` at once,
    /// each encoded straight from the gradient buffers into the outgoing message. Returns stale when any message was,
    /// duplicate when every message was, accepted otherwise, and the highest version reported.
    func pushChunked(_ link: ShardLink, version: UInt64, requestID: UInt64, gradients: VariableBuffers) async throws -> (verdict: PushVerdict, version: UInt64) {
        let plan = Self.planChunks(link.routes, limit: chunkLimitBytes)
        // A stale answer means the shard dropped this version: the chunks not sent yet would be dropped too (a duplicate
        // one only says the shard had those rows already).
        let stale = LockedValue(false)
        let answers = try await inFlight(plan.count) { index -> (verdict: PushVerdict, version: UInt64)? in
            if stale.value { return nil }
            let answer = try await self.pushChunk(link, plan[index], version: version, requestID: requestID, gradients: gradients)
            if answer.verdict == .stale { stale.value = true }
            return answer
        }
        let sent = answers.compactMap { $0 }
        let verdict: PushVerdict =
            stale.value ? .stale : !sent.isEmpty && sent.allSatisfy({ $0.verdict == .duplicate }) ? .duplicate : .accepted
        return (verdict, sent.map(\.version).max() ?? version)
    }

    private func pushChunk(
        _ link: ShardLink, _ message: [(route: Int, row: Int, rows: Int)], version: UInt64, requestID: UInt64, gradients: VariableBuffers
    ) async throws -> (verdict: PushVerdict, version: UInt64) {
        let header = FrameHeader(kind: .pushRequest, requestID: requestID, jobID: jobID, senderID: workerID)
        let entries = message.map { c -> EntryHeader in
            let r = link.routes[c.route]
            // A scalar travels as one row of one element (row ranges need rank ≥ 1).
            let shape = r.shape.rank == 0 ? Shape([1]) : Shape([c.rows] + r.shape.dims.dropFirst())
            return .denseChunk(variableID: r.variableID, partition: r.partition, version: version, dtype: .f32, shape: shape, rowOffset: c.row)
        }
        let routes = link.routes
        let size = WireFormat.encodedSize(header: header, entries: entries)
        return try await link.channel.exchange(.push, requestBytes: size, encode: { out in
            try WireFormat.encode(header: header, entries: entries, into: out) { index, destination in
                let c = message[index]
                let route = routes[c.route]
                let width = route.shape.rank == 0 ? 1 : route.shape.rowWidth
                let whole = gradients.slice(route)
                destination.copyPayload(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(whole)[(c.row * width * 4)..<((c.row + c.rows) * width * 4)]))
            }
        }, timeout: timeout) { raw in
            let view: FrameView
            do { view = try WireFormat.decodeView(raw) } catch {
                throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed push response: \(error)")
            }
            return (PushVerdict(view.header), view.entries.first?.header.version ?? version)
        }
    }
}
