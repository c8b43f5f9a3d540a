import DataPlane
import ParameterStore
import TensorWire
import Testing

/// `ParameterClient.pushAndPull` against real shards through in-memory channels: one frame each way per shard, the
/// answer holding the values after the push's own apply; hostile push-and-pull frames change nothing.
@Suite struct PushAndPullTests {
    static let variables = [VariableSpec(name: "w", shape: Shape([3, 4])), VariableSpec(name: "b", shape: Shape([5]))]

    /// Gradients of `-value` everywhere: with SGD at learning rate 1 every applied push adds `value`.
    static func gradients(_ value: Float) -> WorkerBuffers { WorkerBuffers(variables, fill: -value) }

    @Test func theAnswerHoldsTheValuesAfterThePushsOwnApply() async throws {
        let shards = try InMemoryShards(count: 2, variables: Self.variables, optimizer: .sgd(1), consistency: ConsistencyConfig(mode: .async))
        let client = try shards.client(worker: 0)
        defer { client.close() }
        let gradients = Self.gradients(1.5), parameters = WorkerBuffers(Self.variables, fill: -7)
        for step in 1...5 {
            let (summary, versions) = try await client.pushAndPull(gradients.buffers, versions: [0, 0], into: parameters.buffers)
            #expect(summary.accepted == 2 && summary.stale == 0)
            #expect(versions == [UInt64(step), UInt64(step)])
            for variable in parameters.values { #expect(variable.allSatisfy { $0 == Float(step) * 1.5 }, "step \(step): \(variable)") }
        }
        #expect(try shards.versions() == [5, 5])
    }

    @Test func concurrentWorkersLoseNoUpdate() async throws {
        let shards = try InMemoryShards(count: 2, variables: Self.variables, optimizer: .sgd(1), consistency: ConsistencyConfig(mode: .async))
        let workers = 4, steps = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<workers {
                group.addTask {
                    let client = try shards.client(worker: UInt32(w))
                    defer { client.close() }
                    let gradients = Self.gradients(1), parameters = WorkerBuffers(Self.variables)
                    var last: [UInt64] = [0, 0]
                    for _ in 0..<steps {
                        let (summary, versions) = try await client.pushAndPull(gradients.buffers, versions: last, into: parameters.buffers)
                        #expect(summary.accepted == 2)
                        // The answer includes this push: the values never lag the version they are tagged with.
                        #expect(zip(parameters.values, versions).allSatisfy { values, v in values.allSatisfy { $0 == Float(v) } })
                        last = versions
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try shards.versions() == [UInt64(workers * steps), UInt64(workers * steps)])
    }

    @Test func aNaNGradientIsRefusedWithNothingApplied() async throws {
        let shards = try InMemoryShards(count: 2, variables: Self.variables, optimizer: .sgd(1), consistency: ConsistencyConfig(mode: .async))
        let client = try shards.client(worker: 0)
        defer { client.close() }
        let gradients = Self.gradients(1), parameters = WorkerBuffers(Self.variables)
        gradients.storage[0][2] = .infinity
        await #expect(throws: RuntimeFailure.self) {
            _ = try await client.pushAndPull(gradients.buffers, versions: [0, 0], into: parameters.buffers)
        }
        // Shard 1 (b) may have applied its own finite part; shard 0 (w) took nothing.
        #expect(try shards.shards[0].version(jobID: 1) == 0)
    }

    @Test func rowChunksAndEmbeddingRowsAreRefusedWithNothingApplied() async throws {
        let shards = try InMemoryShards(count: 1, variables: Self.variables, optimizer: .sgd(1), consistency: ConsistencyConfig(mode: .async))
        let handler = shards.handlers[0]
        let chunk = WireEntry(
            header: EntryHeader(
                variableID: 0, partition: 0, version: 0, encoding: .dense, dtype: .f32, shape: Shape([1, 4]), flags: .rowRange, rowCount: 0,
                payloadLength: 16, rowOffset: 1),
            rowKeys: [], payload: [UInt8](repeating: 0, count: 16))
        let frame = WireFormat.encode(WireFrame(header: FrameHeader(kind: .pushPullRequest, requestID: 1, jobID: 1, senderID: 0), entries: [chunk]))
        do {
            _ = try await handler.handle(.push, request: frame)
            Issue.record("a push-and-pull of a row chunk was accepted")
        } catch let failure as RuntimeFailure {
            #expect(failure.code == .invalidArgument)
            #expect(failure.message.contains("whole dense partitions only"), "\(failure.message)")
        }
        #expect(try shards.versions() == [0])
    }

    @Test func anAnswerOverMaxAnswerBytesIsRefusedUnappliedAndTheClientFallsBack() async throws {
        let shard = ParameterShard(logger: InMemoryShards.logger)
        try shard.createJob(
            jobID: 1, partitions: Self.variables.indices.map { PartitionSpec.whole(variableID: UInt32($0), variable: Self.variables[$0], seed: 3) },
            optimizer: .sgd(1), consistency: ConsistencyConfig(mode: .async))
        // Room for one partition's values per answer, not both: the push-and-pull (each partition within the 48-byte
        // chunk limit) is refused, then a plain push and a pull in chunks of one partition each go through.
        let refusals = LockedValue<[RefusalLimit]>([])
        let handler = DataPlaneHandler(
            shard: shard, logger: InMemoryShards.logger, limits: ServerLimits(maxAnswerBytes: 300), recordRefusal: { limit in refusals.withLock { $0.append(limit) } })
        let routes = Self.variables.indices.map {
            PartitionRoute(variableID: UInt32($0), partition: 0, variableIndex: $0, elementOffset: 0, shape: Self.variables[$0].shape)
        }
        let client = try ParameterClient(
            jobID: 1, workerID: 0, routes: [(HostPort(host: "s", port: 1), routes)], timeout: .seconds(20), chunkLimitBytes: 48
        ) { _ in InMemoryDataPlaneChannel(handler) }
        defer { client.close() }
        let gradients = Self.gradients(2), parameters = WorkerBuffers(Self.variables)
        let (summary, versions) = try await client.pushAndPull(gradients.buffers, versions: [0], into: parameters.buffers)
        #expect(summary.accepted == 1)
        #expect(versions == [1], "applied once: the refused push-and-pull changed nothing before the plain push")
        for variable in parameters.values { #expect(variable.allSatisfy { $0 == 2 }, "\(variable)") }
        #expect(refusals.value == [.answerBytes, .answerBytes], "the push-and-pull and the whole pull were refused; the chunks were not")
    }
}
