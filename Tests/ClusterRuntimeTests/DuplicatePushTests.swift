@testable import ClusterRuntime
import Logging
import ParameterStore
import TensorWire
import Testing

/// A push a worker had already delivered for the version is a duplicate, not a stale gradient: the wire answers it
/// stale (the frame format has no other status a worker understands) with a message the shard's metrics and the
/// worker's client read as duplicate, and every count of stale gradients leaves it out.
@Suite struct DuplicatePushTests {
    static let logger = Logger(label: "duplicates") { _ in SwiftLogNoOpLogHandler() }

    /// A sync shard (N = 2, b = 1) holding w [4, 2] (variable 0) and an unbounded embedding of width 2 (variable 1).
    func fixture() throws -> (DataPlaneHandler, ParameterShard) {
        let shard = ParameterShard(logger: Self.logger)
        let embedding = VariableSpec(name: "emb", shape: Shape([0, 2]), kind: .embedding, initializer: .zeros)
        try shard.createJob(
            jobID: 7,
            partitions: [
                PartitionSpec.whole(variableID: 0, variable: VariableSpec(name: "w", shape: Shape([4, 2])), seed: 1),
                PartitionSpec(variableID: 1, partition: 0, variable: embedding, rowOffset: 0, rowCount: 0, seed: 2),
            ],
            optimizer: .sgd(1), consistency: .sync(replicas: 2, backups: 1))
        return (DataPlaneHandler(shard: shard, logger: Self.logger), shard)
    }

    /// A push frame from `worker` for `version`: rows of w (all of them, or a flagged row range) and, with `keys`, rows of the embedding.
    func pushFrame(worker: UInt32, version: UInt64 = 0, rows: Range<Int>? = nil, keys: [Int64] = [5]) -> [UInt8] {
        var entries: [WireEntry] = []
        if let rows {
            let header = EntryHeader.denseChunk(variableID: 0, partition: 0, version: version, dtype: .f32, shape: Shape([rows.count, 2]), rowOffset: rows.lowerBound)
            entries.append(WireEntry(header: header, payload: [Float](repeating: 1, count: rows.count * 2).withUnsafeBytes { Array($0) }))
        } else {
            entries.append([Float](repeating: 1, count: 8).withUnsafeBufferPointer {
                WireEntry.dense(variableID: 0, partition: 0, version: version, shape: Shape([4, 2]), floats: $0)
            })
            let floats = [Float](repeating: 2, count: keys.count * 2)
            let header = EntryHeader.sparse(variableID: 1, partition: 0, version: version, dtype: .f32, shape: Shape([0, 2]), rowCount: keys.count)
            entries.append(WireEntry(header: header, rowKeys: keys, payload: floats.withUnsafeBytes { Array($0) }))
        }
        return WireFormat.encode(WireFrame(header: FrameHeader(kind: .pushRequest, requestID: 1, jobID: 7, senderID: worker), entries: entries))
    }

    func verdict(_ answer: [UInt8]) throws -> PushVerdict {
        PushVerdict(try answer.withUnsafeBytes { try WireFormat.decode($0) }.header)
    }

    @Test func aRepeatedPushIsAnsweredStaleButCountedAsADuplicate() async throws {
        let (handler, shard) = try fixture()
        let name = "duplicates-\(UInt64.random(in: 1...UInt64.max))"
        let metrics = ShardMetrics(shard: name)
        func push(_ frame: [UInt8]) async throws -> [UInt8] {
            try await metrics.record(.push, request: frame) { try await handler.handle(.push, request: frame) }
        }
        #expect(try verdict(try await push(pushFrame(worker: 0))) == .accepted)
        let again = try await push(pushFrame(worker: 0))
        let header = try again.withUnsafeBytes { try WireFormat.decode($0) }.header
        #expect(header.status == PushStatus.stale && header.message.hasPrefix(PushStatus.duplicateMarker), "\(header.message)")
        #expect(try verdict(again) == .duplicate)
        #expect(try verdict(try await push(pushFrame(worker: 1))) == .accepted)
        // Version 1 applied without the backup: its gradient for version 0 is stale.
        #expect(try verdict(try await push(pushFrame(worker: 2))) == .stale)
        let stats = try shard.stats(jobID: 7)
        #expect(stats.version == 1 && stats.staleDropped == 1 && stats.duplicateDropped == 1 && stats.pushes == 4)
        let samples = NativeParityTests().shardSamples(name)
        #expect(samples["tessera_stale_dropped_total"] == 1 && samples["tessera_duplicate_dropped_total"] == 1, "\(samples)")
    }

    @Test func aChunkSentTwiceIsADuplicateAndOverlappingRowsAreRefused() async throws {
        let (handler, shard) = try fixture()
        #expect(try verdict(try await handler.handle(.push, request: pushFrame(worker: 0, rows: 0..<2))) == .accepted)
        #expect(try verdict(try await handler.handle(.push, request: pushFrame(worker: 0, rows: 0..<2))) == .duplicate)
        await #expect(throws: StoreError.self) { _ = try await handler.handle(.push, request: pushFrame(worker: 0, rows: 1..<3)) }
        #expect(try verdict(try await handler.handle(.push, request: pushFrame(worker: 0, rows: 2..<4))) == .accepted)
        let stats = try shard.stats(jobID: 7)
        #expect(stats.duplicateDropped == 1 && stats.rejected == 1 && stats.staleDropped == 0)
    }

    @Test func theClientCountsDuplicatesApartFromStaleGradients() async throws {
        let (handler, shard) = try fixture()
        let address = HostPort(host: "shard", port: 1)
        let routes = [
            PartitionRoute(variableID: 0, partition: 0, variableIndex: 0, elementOffset: 0, shape: Shape([4, 2])),
            PartitionRoute(variableID: 1, partition: 0, variableIndex: 1, elementOffset: 0, shape: Shape([0, 2]), isSparse: true),
        ]
        func client(_ worker: UInt32) throws -> ParameterClient {
            try ParameterClient(jobID: 7, workerID: worker, routes: [(address, routes)]) { _ in HandlerChannel(handler: handler) }
        }
        let dense = UnsafeMutableBufferPointer<Float>.allocate(capacity: 8), rows = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2)
        dense.initialize(repeating: 0.5)
        rows.initialize(repeating: 1)
        defer { dense.deallocate(); rows.deallocate() }
        let gradients = StepGradients(dense: VariableBuffers([dense]), rows: [SparseRowBuffer(variableID: 1, keys: [3], rows: rows)])
        func step(_ c: ParameterClient, version: UInt64) async throws -> PushSummary {
            try await c.push(gradients, versions: [version])
        }
        let (first, second, backup) = (try client(0), try client(1), try client(2))
        let once = try await step(first, version: 0)
        #expect(once.accepted == 1 && once.stale == 0 && once.duplicate == 0)
        let twice = try await step(first, version: 0)
        #expect(twice.accepted == 0 && twice.stale == 0 && twice.duplicate == 1)
        #expect(try await step(second, version: 0).maxVersion == 1)
        let late = try await step(backup, version: 0)
        #expect(late.stale == 1 && late.duplicate == 0)
        #expect(try shard.stats(jobID: 7).staleDropped == 1)
    }
}

/// A data-plane channel straight into a handler (no transport).
struct HandlerChannel: DataPlaneChannel {
    let handler: DataPlaneHandler

    func exchange(_ method: DataPlaneMethod, request: [UInt8], timeout: Duration) async throws -> [UInt8] {
        try await handler.handle(method, request: request)
    }

    func close() {}
}
