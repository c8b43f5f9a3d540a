import TensorWire

extension ParameterClient {
    /// Default largest payload of one data-plane message (16 MiB).
    public static let defaultChunkLimitBytes = 16 << 20

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

    /// Pulls a shard's partitions in messages of at most `chunkLimitBytes` of payload, one after another, each decoded
    /// straight into the variable buffers. The first message may long-poll for `minimum`; the later ones ask for at least
    /// the version the first returned. Returns the first message's version (async jobs may move between chunks; sync
    /// jobs do not, since this worker has not pushed yet).
    func pullChunked(_ link: ShardLink, minimum: UInt64, requestID: UInt64, into parameters: VariableBuffers) async throws -> UInt64 {
        var first: UInt64?
        for message in Self.planChunks(link.routes, limit: chunkLimitBytes) {
            let header = FrameHeader(kind: .pullRequest, requestID: requestID, jobID: jobID, senderID: workerID)
            let entries = message.map { c -> WireEntry in
                let r = link.routes[c.route]
                let shape = r.shape.rank == 0 ? Shape([1]) : Shape([c.rows] + r.shape.dims.dropFirst())
                return WireEntry(header: .chunkRequest(
                    variableID: r.variableID, partition: r.partition, version: first ?? minimum, shape: shape, rowOffset: c.row))
            }
            let request = WireFormat.encode(WireFrame(header: header, entries: entries))
            let response = try await link.channel.exchange(.pull, request: request, timeout: timeout)
            let version = try response.withUnsafeBytes { raw in
                let view: FrameView
                do { view = try WireFormat.decodeView(raw) } catch {
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
                    UnsafeMutableRawBufferPointer(destination).copyMemory(from: entry.payload(in: raw))
                    version = h.version
                }
                return version
            }
            if first == nil { first = version }
        }
        return first ?? minimum
    }
}

extension ParameterClient {
    /// Pushes a shard's gradients in messages of at most `chunkLimitBytes` of payload, one after another, each encoded
    /// straight from the gradient buffers. Returns whether every message was accepted and the last version reported.
    func pushChunked(_ link: ShardLink, version: UInt64, requestID: UInt64, gradients: VariableBuffers) async throws -> (accepted: Bool, version: UInt64) {
        var accepted = true
        var reported = version
        for message in Self.planChunks(link.routes, limit: chunkLimitBytes) {
            let header = FrameHeader(kind: .pushRequest, requestID: requestID, jobID: jobID, senderID: workerID)
            let entries = message.map { c -> EntryHeader in
                let r = link.routes[c.route]
                // A scalar travels as one row of one element (row ranges need rank ≥ 1).
                let shape = r.shape.rank == 0 ? Shape([1]) : Shape([c.rows] + r.shape.dims.dropFirst())
                return .denseChunk(variableID: r.variableID, partition: r.partition, version: version, dtype: .f32, shape: shape, rowOffset: c.row)
            }
            let routes = link.routes
            let size = WireFormat.encodedSize(header: header, entries: entries)
            let request = try [UInt8](unsafeUninitializedCapacity: size) { out, count in
                count = try WireFormat.encode(header: header, entries: entries, into: UnsafeMutableRawBufferPointer(out)) { index, destination in
                    let c = message[index]
                    let route = routes[c.route]
                    let width = route.shape.rank == 0 ? 1 : route.shape.rowWidth
                    let whole = gradients.slice(route)
                    destination.payload.copyMemory(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(whole)[(c.row * width * 4)..<((c.row + c.rows) * width * 4)]))
                }
            }
            let response = try await link.channel.exchange(.push, request: request, timeout: timeout)
            let (ok, v) = try response.withUnsafeBytes { raw in
                let view: FrameView
                do { view = try WireFormat.decodeView(raw) } catch {
                    throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed push response: \(error)")
                }
                return (view.header.status == PushStatus.ok, view.entries.first?.header.version ?? version)
            }
            // A stale answer means the shard dropped this version: the remaining chunks would be dropped too.
            reported = max(reported, v)
            guard ok else {
                accepted = false
                break
            }
        }
        return (accepted, reported)
    }
}
