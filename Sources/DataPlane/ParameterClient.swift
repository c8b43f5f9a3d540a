import TensorWire

/// One partition as a worker routes it: which shard holds it and which elements of the full variable it covers.
public struct PartitionRoute: Sendable, Hashable {
    /// The partition's identity on the shard.
    public var variableID: UInt32
    /// Partition index of the variable.
    public var partition: UInt32
    /// Index of the variable in the model's variable list.
    public var variableIndex: Int
    /// First element of the partition inside the full variable (row offset × row width).
    public var elementOffset: Int
    /// Shape of the partition.
    public var shape: Shape
    /// An embedding partition: moved by row keys (`pullSparse`/`pushSparse`), skipped by the dense `pull`/`push`.
    public var isSparse: Bool

    /// Creates a route.
    public init(variableID: UInt32, partition: UInt32, variableIndex: Int, elementOffset: Int, shape: Shape, isSparse: Bool = false) {
        self.variableID = variableID
        self.partition = partition
        self.variableIndex = variableIndex
        self.elementOffset = elementOffset
        self.shape = shape
        self.isSparse = isSparse
    }

    /// Elements the partition holds.
    public var elementCount: Int { shape.elementCount }
}

/// Raw access to a worker's full-variable float buffers, so frames are decoded into and encoded from
/// them without intermediate copies. Different partitions touch disjoint element ranges.
public struct VariableBuffers: @unchecked Sendable {
    /// Base pointer and element count of each variable, in model order.
    public var buffers: [UnsafeMutableBufferPointer<Float>]

    /// Wraps the buffers; the caller keeps them alive and unaliased during the calls that use them.
    public init(_ buffers: [UnsafeMutableBufferPointer<Float>]) {
        self.buffers = buffers
    }

    func slice(_ route: PartitionRoute) -> UnsafeMutableBufferPointer<Float> {
        let base = buffers[route.variableIndex]
        return UnsafeMutableBufferPointer(rebasing: base[route.elementOffset..<(route.elementOffset + route.elementCount)])
    }
}

/// One step's gradients as a worker pushes them (`ParameterClient.push`): its dense variables and its embedding rows.
public struct StepGradients: Sendable {
    /// Gradients of every variable, in the parameters' layout (embedding partitions skipped); nil: only rows go.
    public var dense: VariableBuffers?
    /// Row gradients of embedding variables (repeated keys are summed by the shard).
    public var rows: [SparseRowBuffer]

    /// Describes a step's gradients.
    public init(dense: VariableBuffers? = nil, rows: [SparseRowBuffer] = []) {
        self.dense = dense
        self.rows = rows
    }
}

/// The result of pushing one step's gradients to every shard.
public struct PushSummary: Sendable {
    /// Shards that applied or accumulated the gradient.
    public var accepted = 0
    /// Shards that dropped it as stale.
    public var stale = 0
    /// Shards that had it already for this version (a push repeated), answered stale on the wire but counted apart.
    public var duplicate = 0
    /// Highest version any shard reported.
    public var maxVersion: UInt64 = 0

    /// Counts one shard's answer.
    mutating func add(_ verdict: PushVerdict, version: UInt64) {
        switch verdict {
        case .accepted: accepted += 1
        case .stale: stale += 1
        case .duplicate: duplicate += 1
        }
        maxVersion = max(maxVersion, version)
    }
}

/// A worker's view of a job's shards: pulls every partition and pushes gradients, contacting shards in parallel (each
/// shard's or chunk's call a child task on the global pool, whatever executor the caller prefers: a worker's step loop
/// runs on its own thread, which would otherwise encode the shards' messages one after the other).
public final class ParameterClient: Sendable {
    struct ShardLink: Sendable {
        let address: HostPort
        let channel: any DataPlaneChannel
        /// Dense partitions (moved by `pull`/`push`).
        let routes: [PartitionRoute]
        /// Embedding partitions (moved by `pullSparse`/`pushSparse`).
        let sparseRoutes: [PartitionRoute]
    }

    let jobID: UInt64
    let workerID: UInt32
    let links: [ShardLink]
    let timeout: Duration
    /// Largest payload one data-plane message carries; larger dense partitions move in row chunks.
    let chunkLimitBytes: Int
    /// Largest answer asked for in one pull of many small partitions (64 MiB); a larger total is pulled in chunks, so
    /// a psd's max_answer_bytes at or above this never refuses a worker's pull.
    public static let maxUnchunkedPullBytes = 64 << 20
    let versions: LockedValue<[UInt64]>

    /// Connects to the shards that hold the routed partitions.
    public init(
        jobID: UInt64, workerID: UInt32, routes: [(HostPort, [PartitionRoute])], timeout: Duration = .seconds(60),
        chunkLimitBytes: Int = ParameterClient.defaultChunkLimitBytes, makeChannel: (HostPort) throws -> any DataPlaneChannel
    ) throws {
        self.chunkLimitBytes = max(chunkLimitBytes, 4)
        self.jobID = jobID
        self.workerID = workerID
        self.timeout = timeout
        self.links = try routes.map {
            // Overload refusals (RESOURCE_EXHAUSTED from the shard's admission) are retried with backoff up to the deadline;
            // what still fails names the shard in `RuntimeFailure.shard`.
            ShardLink(address: $0.0, channel: ShardChannel(try makeChannel($0.0), address: $0.0), routes: $0.1.filter { !$0.isSparse }, sparseRoutes: $0.1.filter(\.isSparse))
        }
        self.versions = LockedValue(Array(repeating: 0, count: routes.count))
    }

    /// Where a task that exchanges with the shards best runs: the first shard's connection's event loop once it is
    /// connected (answers then resume their calls without a thread hop); nil before that or for other transports.
    public var preferredTaskExecutor: (any TaskExecutor)? { links.first?.channel.preferredTaskExecutor }

    /// Closes every shard connection.
    public func close() {
        for link in links { link.channel.close() }
    }

    /// The number of shards this client talks to (the length of every versions array).
    public var shardCount: Int { links.count }

    /// Whether shard `index` holds any dense partition (a shard with only embedding rows is reached by row pulls alone).
    public func holdsDensePartitions(_ index: Int) -> Bool { !links[index].routes.isEmpty }

    /// The version each shard last reported.
    public var shardVersions: [UInt64] { versions.value }

    /// Pulls every partition into `parameters`, waiting (sync mode) until each shard is at least at `minimumVersions[i]`.
    /// Returns the versions pulled, one per shard.
    @discardableResult
    public func pull(into parameters: VariableBuffers, minimumVersions: [UInt64]? = nil) async throws -> [UInt64] {
        let requestID = UInt64.random(in: 1...UInt64.max)
        let result = try await withThrowingTaskGroup(of: (Int, UInt64).self) { group in
            for (index, link) in links.enumerated() {
                let minimum = minimumVersions?[index] ?? 0
                guard !link.routes.isEmpty else { continue }
                group.addTask(executorPreference: globalConcurrentExecutor) {
                    let version = try await self.pull(link, minimum: minimum, requestID: requestID, into: parameters)
                    return (index, version)
                }
            }
            var pulled = versions.value
            for try await (index, version) in group { pulled[index] = version }
            return pulled
        }
        versions.value = result
        return result
    }

    func pull(_ link: ShardLink, minimum: UInt64, requestID: UInt64, into parameters: VariableBuffers) async throws -> UInt64 {
        // Chunked when any partition passes the chunk limit, or the whole answer `maxUnchunkedPullBytes` (a shard refuses
        // answers over its max_answer_bytes).
        if link.routes.contains(where: { $0.elementCount * 4 > chunkLimitBytes })
            || link.routes.reduce(0, { $0 + $1.elementCount * 4 }) > Self.maxUnchunkedPullBytes
        {
            return try await pullChunked(link, minimum: minimum, requestID: requestID, into: parameters)
        }
        do {
            return try await pullWhole(link, minimum: minimum, requestID: requestID, into: parameters)
        } catch let failure as RuntimeFailure where failure.code == .resourceExhausted && failure.message.contains(DataPlaneHandler.answerLimitMarker) {
            // The shard's max_answer_bytes is below this answer: the same partitions in chunks of at most chunkLimitBytes.
            return try await pullChunked(link, minimum: minimum, requestID: requestID, into: parameters)
        }
    }

    /// Pulls every partition of the shard in one message.
    private func pullWhole(_ link: ShardLink, minimum: UInt64, requestID: UInt64, into parameters: VariableBuffers) async throws -> UInt64 {
        let header = FrameHeader(kind: .pullRequest, requestID: requestID, jobID: jobID, senderID: workerID)
        let entries = link.routes.map { EntryHeader.empty(variableID: $0.variableID, partition: $0.partition, version: minimum) }
        let size = WireFormat.encodedSize(header: header, entries: entries)
        // Encoded straight into the transport's buffer, decoded where the answer was received: the
        // parameters are copied once, from the received frame into `parameters`, checksummed in the same pass
        // (a corrupt answer fails the pull, leaving `parameters` to be overwritten by the next one).
        return try await link.channel.exchange(.pull, requestBytes: size, encode: { out in
            try WireFormat.encode(header: header, entries: entries, into: out) { _, _ in }
        }, timeout: timeout) { raw in
            let view: FrameView
            do { view = try WireFormat.decodeView(raw, checkingPayloads: false) } catch {
                throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed pull response: \(error)")
            }
            guard view.entries.count == link.routes.count else {
                throw RuntimeFailure(.internalError, "shard \(link.address) answered \(view.entries.count) partitions, asked for \(link.routes.count)")
            }
            var version: UInt64 = 0
            for (entry, route) in zip(view.entries, link.routes) {
                let h = entry.header
                guard h.variableID == route.variableID, h.partition == route.partition, h.dtype == .f32,
                    h.payloadLength == route.elementCount * 4
                else {
                    throw RuntimeFailure(.internalError, "shard \(link.address) answered variable \(h.variableID)/\(h.partition) with \(h.payloadLength) bytes; expected variable \(route.variableID)/\(route.partition) with \(route.elementCount * 4)")
                }
                do { try entry.copyPayloadChecked(in: raw, to: UnsafeMutableRawBufferPointer(parameters.slice(route))) } catch {
                    throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed pull response: \(error)")
                }
                version = h.version
            }
            return version
        }
    }

    /// Pushes a shard's dense partitions (none above the chunk limit) in one frame, encoded straight from the gradients.
    func pushDense(_ link: ShardLink, version: UInt64, requestID: UInt64, gradients: VariableBuffers) async throws -> (verdict: PushVerdict, version: UInt64) {
        let header = FrameHeader(kind: .pushRequest, requestID: requestID, jobID: jobID, senderID: workerID)
        let entries = link.routes.map {
            EntryHeader.dense(variableID: $0.variableID, partition: $0.partition, version: version, dtype: .f32, shape: $0.shape)
        }
        let size = WireFormat.encodedSize(header: header, entries: entries)
        let routes = link.routes
        // The gradients are copied once, into the transport's outgoing buffer.
        return try await link.channel.exchange(.push, requestBytes: size, encode: { out in
            try WireFormat.encode(header: header, entries: entries, into: out) { index, destination in
                destination.copyPayload(from: UnsafeRawBufferPointer(gradients.slice(routes[index])))
            }
        }, timeout: timeout) { raw in
            let view: FrameView
            do { view = try WireFormat.decodeView(raw) } catch {
                throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed push response: \(error)")
            }
            let reported = view.entries.first?.header.version ?? version
            return (PushVerdict(view.header), reported)
        }
    }
}
