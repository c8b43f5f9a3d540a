@testable import DataPlane
import Foundation
import Logging
import ParameterStore
import Testing
import TensorWire

/// Hostile data-plane frames against a shard's `DataPlaneHandler`: each gets its status and a sentence, changes nothing,
/// and the shard serves a normal push and pull afterwards. Pulls may not amplify (a partition or row key once per pull,
/// answers within max_answer_bytes and admitted beside the request), and at most max_pending_pulls wait for a version.
@Suite struct DataPlaneHardeningTests {
    static let jobID: UInt64 = 7
    static let logger = Logger(label: "hardening") { _ in SwiftLogNoOpLogHandler() }
    static let embedding = VariableSpec(name: "emb", shape: Shape([0, 4]), kind: .embedding, initializer: .uniform(low: -1, high: 1))

    /// A shard holding job 7: w [4, 2] (dense, partition 0), emb [0, 4] (embedding, variable 1) and the scalar b
    /// (variable 2), SGD with rate 1.
    func fixture(_ consistency: ConsistencyConfig = .async, limits: ServerLimits = .default, memory: Int? = nil) throws -> (DataPlaneHandler, ParameterShard) {
        let shard = ParameterShard(logger: Self.logger, memoryLimitBytes: memory)
        try shard.createJob(
            jobID: Self.jobID,
            partitions: [
                PartitionSpec.whole(variableID: 0, variable: VariableSpec(name: "w", shape: Shape([4, 2])), seed: 1),
                PartitionSpec(variableID: 1, partition: 0, variable: Self.embedding, rowOffset: 0, rowCount: 0, seed: 2),
                PartitionSpec.whole(variableID: 2, variable: VariableSpec(name: "b", shape: Shape([]), initializer: .constant(0.5)), seed: 3),
            ],
            optimizer: .sgd(1), consistency: consistency)
        return (DataPlaneHandler(shard: shard, logger: Self.logger, limits: limits), shard)
    }

    func frame(_ kind: FrameKind, _ entries: [WireEntry]) -> [UInt8] {
        WireFormat.encode(WireFrame(header: FrameHeader(kind: kind, requestID: 3, jobID: Self.jobID, senderID: 1), entries: entries))
    }

    func floats(_ values: [Float]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    /// A push of rows `rowOffset ..< rowOffset + rows` of w, flagged as a row range.
    func chunkPush(rowOffset: Int, rows: Int, version: UInt64 = 0) -> [UInt8] {
        let header = EntryHeader.denseChunk(variableID: 0, partition: 0, version: version, dtype: .f32, shape: Shape([rows, 2]), rowOffset: rowOffset)
        return frame(.pushRequest, [WireEntry(header: header, payload: floats([Float](repeating: 1, count: rows * 2)))])
    }

    func wholePush(version: UInt64 = 0) -> [UInt8] {
        [Float](repeating: 1, count: 8).withUnsafeBufferPointer { b in
            frame(.pushRequest, [.dense(variableID: 0, partition: 0, version: version, shape: Shape([4, 2]), floats: b)])
        }
    }

    func densePull(version: UInt64 = 0, times: Int = 1) -> [UInt8] {
        frame(.pullRequest, Array(repeating: .empty(variableID: 0, partition: 0, version: version), count: times))
    }

    func sparsePull(_ keys: [Int64], version: UInt64 = 0) -> [UInt8] {
        frame(.pullRequest, [.sparseKeys(variableID: 1, partition: 0, version: version, dtype: .f32, shape: Self.embedding.shape, rowKeys: keys)])
    }

    /// The code and sentence `body` fails with (nil when it succeeds).
    func failure(_ body: () async throws -> Void) async -> RuntimeFailure? {
        do {
            try await body()
            return nil
        } catch {
            return RuntimeFailure(shardError: error)
        }
    }

    /// A normal push and pull go through: the shard still serves.
    func expectServing(_ handler: DataPlaneHandler, _ shard: ParameterShard) async throws {
        let before = try shard.version(jobID: Self.jobID)
        let pushed = try await handler.handle(.push, request: wholePush(version: before))
        #expect(try pushed.withUnsafeBytes { try WireFormat.decodeView($0).header.status } == PushStatus.ok)
        let pulled = try await handler.handle(.pull, request: densePull())
        let answer = try pulled.withUnsafeBytes { try WireFormat.decode($0) }
        #expect(answer.entries.count == 1 && answer.entries[0].header.version == before + 1)
    }

    @Test(arguments: [Int(Int64.max), Int(Int64.max) - 1, Int(Int64.max) - 3, 3, 4])
    func theIssuesRowRangePushGetsInvalidArgument(_ rowOffset: Int) async throws {
        let (handler, shard) = try fixture()
        let refused = await failure { _ = try await handler.handle(.push, request: chunkPush(rowOffset: rowOffset, rows: 2)) }
        #expect(refused?.code == .invalidArgument, "\(String(describing: refused))")
        #expect(try shard.read(jobID: Self.jobID, keys: [PartitionKey(variableID: 0, partition: 0)]) { _, b in Array(b[0]) } == [Float](repeating: 0, count: 8))
        // The same frame served on the transport's thread.
        let atOnce = await failure {
            _ = try handler.handleAtOnce(.push, request: chunkPush(rowOffset: rowOffset, rows: 2), limit: 1 << 20) { bytes, encode in
                try [UInt8](unsafeUninitializedCapacity: bytes) { out, count in count = try encode(UnsafeMutableRawBufferPointer(out)) }
            }
        }
        #expect(atOnce?.code == .invalidArgument)
        try await expectServing(handler, shard)
    }

    @Test func aRowRangePullAtAHostileOffsetGetsInvalidArgument() async throws {
        let (handler, shard) = try fixture()
        for offset in [Int(Int64.max), Int(Int64.max) - 1, 4] {
            let request = frame(.pullRequest, [WireEntry(header: .chunkRequest(variableID: 0, partition: 0, version: 0, shape: Shape([2, 2]), rowOffset: offset))])
            #expect(await failure { _ = try await handler.handle(.pull, request: request) }?.code == .invalidArgument)
        }
        try await expectServing(handler, shard)
    }

    @Test func anEmptyRowRangeOfAScalarIsAnsweredAsEmpty() async throws {
        // Found by fuzz-dataplane: the answer said one element over zero rows read, and the encoder trapped.
        let (handler, shard) = try fixture()
        for rows in [0, 1] {
            let request = frame(.pullRequest, [WireEntry(header: .chunkRequest(variableID: 2, partition: 0, version: 0, shape: Shape([rows]), rowOffset: 0))])
            let answer = try await handler.handle(.pull, request: request)
            let entry = try answer.withUnsafeBytes { try WireFormat.decode($0) }.entries[0]
            #expect(entry.header.shape == Shape([rows]))
            #expect(try entry.floats() == [Float](repeating: 0.5, count: rows))
        }
        let beyond = frame(.pullRequest, [WireEntry(header: .chunkRequest(variableID: 2, partition: 0, version: 0, shape: Shape([2]), rowOffset: 0))])
        #expect(await failure { _ = try await handler.handle(.pull, request: beyond) }?.code == .invalidArgument)
        try await expectServing(handler, shard)
    }

    @Test func aPartitionOrRowKeyAskedForTwiceIsRefused() async throws {
        let (handler, shard) = try fixture()
        let dense = try #require(await failure { _ = try await handler.handle(.pull, request: densePull(times: 3000)) })
        #expect(dense.code == .invalidArgument && dense.message.contains("variable 0 partition 0 twice"), "\(dense.message)")
        let chunk = EntryHeader.chunkRequest(variableID: 0, partition: 0, version: 0, shape: Shape([1, 2]), rowOffset: 0)
        let chunks = frame(.pullRequest, [WireEntry(header: chunk), WireEntry(header: chunk)])
        #expect(await failure { _ = try await handler.handle(.pull, request: chunks) }?.code == .invalidArgument)
        let keys = try #require(await failure { _ = try await handler.handle(.pull, request: sparsePull([5, 9, 5])) })
        #expect(keys.code == .invalidArgument && keys.message.contains("row key 5 twice"), "\(keys.message)")
        #expect(try shard.sparseRowCount(jobID: Self.jobID, key: PartitionKey(variableID: 1, partition: 0)) == 0, "nothing was created")
        let answer = try await handler.handle(.pull, request: sparsePull([5, 9]))
        #expect(try answer.withUnsafeBytes { try WireFormat.decode($0) }.entries[0].rowKeys == [5, 9])
        try await expectServing(handler, shard)
    }

    @Test func anAnswerOverTheLimitIsRefusedBeforeAnythingIsCreated() async throws {
        var limits = ServerLimits.default
        limits.maxAnswerBytes = 4096
        let (handler, shard) = try fixture(limits: limits)
        // 200 rows of 4 floats: 3200 bytes of rows plus 1600 of keys, over 4096.
        let refused = try #require(await failure { _ = try await handler.handle(.pull, request: sparsePull((0..<200).map { Int64($0) })) })
        #expect(refused.code == .resourceExhausted && refused.message.contains("4096") && refused.message.contains("max_answer_bytes"), "\(refused.message)")
        #expect(try shard.sparseRowCount(jobID: Self.jobID, key: PartitionKey(variableID: 1, partition: 0)) == 0)
        #expect(handler.admission.stats.inFlightBytes == 0)
        try await expectServing(handler, shard)
    }

    @Test func answerBytesAreAdmittedBesideTheRequest() async throws {
        let (handler, shard) = try fixture()
        let request = densePull()
        let answer = try await handler.handle(.pull, request: request)
        #expect(handler.admission.stats.peakBytes >= request.count + answer.count)
        #expect(handler.admission.stats.inFlightBytes == 0)
        // A limit that takes the request but not its answer beside another request in flight refuses it as an overload.
        let tight = DataPlaneHandler(shard: shard, logger: Self.logger, admission: DataPlaneAdmission(limitBytes: request.count + 64))
        try tight.admission.admit(32, for: .push)
        let refused = try #require(await failure { _ = try await tight.handle(.pull, request: request) })
        #expect(ShardChannel.isOverload(refused), "\(refused.message)")
        tight.admission.release(32)
        #expect(try await tight.handle(.pull, request: request) == answer, "alone, a request and its answer pass")
    }

    @Test func embeddingRowsBeyondTheMemoryLimitAreRefused() async throws {
        // w takes 32 bytes; 16 embedding rows of 4 floats take 256; 20 more would need 768.
        let (handler, shard) = try fixture(memory: 400)
        _ = try await handler.handle(.pull, request: sparsePull((0..<16).map { Int64($0) }))
        let refused = try #require(await failure { _ = try await handler.handle(.pull, request: sparsePull((100..<120).map { Int64($0) })) })
        #expect(refused.code == .resourceExhausted && refused.message.contains("memory limit"), "\(refused.message)")
        #expect(try shard.sparseRowCount(jobID: Self.jobID, key: PartitionKey(variableID: 1, partition: 0)) == 16)
        try await expectServing(handler, shard)
    }

    @Test func waitingPullsAreBoundedAndEndWhenCancelled() async throws {
        var limits = ServerLimits.default
        limits.maxPendingPulls = 1
        let (handler, shard) = try fixture(limits: limits)
        let waiting = Task { try await handler.handle(.pull, request: densePull(version: 1)) }
        while handler.pendingPullCount == 0 { try await Task.sleep(for: .milliseconds(1)) }

        let refused = try #require(await failure { _ = try await handler.handle(.pull, request: sparsePull([1], version: 1)) })
        #expect(refused.code == .resourceExhausted && refused.message.contains("max_pending_pulls"), "\(refused.message)")
        #expect(ShardChannel.isOverload(refused), "clients back off and retry")

        // Cancelling the waiting pull (its connection closed) ends it at once and frees its slot.
        waiting.cancel()
        let ended = await failure { _ = try await waiting.value }
        #expect(ended?.code == .cancelled, "\(String(describing: ended))")
        #expect(handler.pendingPullCount == 0)
        #expect(try shard.stats(jobID: Self.jobID).waiting == 0, "the shard forgot the waiter")

        // The slot is free again: a new long-poll waits and is answered when version 1 exists.
        let next = Task { try await handler.handle(.pull, request: densePull(version: 1)) }
        while handler.pendingPullCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        _ = try await handler.handle(.push, request: wholePush())
        let answer = try await next.value
        #expect(try answer.withUnsafeBytes { try WireFormat.decode($0) }.entries[0].header.version == 1)
        #expect(handler.pendingPullCount == 0)
    }
}
