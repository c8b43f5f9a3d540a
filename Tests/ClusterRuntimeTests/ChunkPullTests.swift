import ClusterRuntime
import Foundation
import Logging
import ParameterStore
import Testing
import TensorWire

/// Wraps a channel and records the size of every response.
private final class RecordingChannel: DataPlaneChannel, @unchecked Sendable {
    let inner: any DataPlaneChannel
    let sizes = LockedSizes()
    init(_ inner: any DataPlaneChannel) { self.inner = inner }
    func exchange(_ method: DataPlaneMethod, request: [UInt8], timeout: Duration) async throws -> [UInt8] {
        let response = try await inner.exchange(method, request: request, timeout: timeout)
        sizes.append(response.count)
        return response
    }
    func close() { inner.close() }
}

private final class LockedSizes: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func append(_ v: Int) { lock.withLock { values.append(v) } }
    var all: [Int] { lock.withLock { values } }
}

@Suite(.serialized) struct ChunkPullTests {
    @Test(arguments: [DataPlaneKind.native, .grpc])
    func largePartitionsPullInBoundedChunksExactly(_ kind: DataPlaneKind) async throws {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-chunks-\(UUID().uuidString)").path
        let config = ParameterServerConfig(listen: HostPort(host: "127.0.0.1", port: 0), dataDir: dir, coordinator: nil, name: "ps-chunks")
        let daemon = try ParameterServerDaemon(config: config, logger: logger)
        let control = try await daemon.start()
        guard let data = try await daemon.dataAddress() else { throw RuntimeFailure(.unavailable, "native listener did not start") }
        let big = VariableSpec(name: "big", shape: Shape([300, 17]), initializer: .uniform(low: -1, high: 1))
        let bias = VariableSpec(name: "bias", shape: Shape([]), initializer: .constant(0.5))
        try daemon.shard.createJob(
            jobID: 3,
            partitions: [PartitionSpec.whole(variableID: 0, variable: big, seed: 4), PartitionSpec.whole(variableID: 1, variable: bias, seed: 4)],
            optimizer: .sgd(0.25), consistency: .async)
        let routes = [
            PartitionRoute(variableID: 0, partition: 0, variableIndex: 0, elementOffset: 0, shape: big.shape),
            PartitionRoute(variableID: 1, partition: 0, variableIndex: 1, elementOffset: 0, shape: bias.shape),
        ]
        let limit = 1000
        let recorder = LockedBox()
        let client = try ParameterClient(jobID: 3, workerID: 0, routes: [(kind == .native ? data : control, routes)], chunkLimitBytes: limit) {
            let channel = RecordingChannel(try DataPlaneChannels.make(kind, address: $0))
            recorder.channel = channel
            return channel
        }
        let a = UnsafeMutableBufferPointer<Float>.allocate(capacity: 300 * 17), b = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)
        defer { a.deallocate(); b.deallocate() }
        a.initialize(repeating: .nan)
        b.initialize(repeating: .nan)
        // Push a full gradient (in chunks; async applies each on arrival, the version moves once), then pull back in chunks.
        let g = UnsafeMutableBufferPointer<Float>.allocate(capacity: 300 * 17), gb = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)
        defer { g.deallocate(); gb.deallocate() }
        for i in g.indices { g[i] = Float(i % 13) - 6 }
        gb[0] = 2
        _ = try await client.push(StepGradients(dense: VariableBuffers([g, gb])), versions: [0])
        let versions = try await client.pull(into: VariableBuffers([a, b]))
        #expect(versions == [1])
        let expected = try daemon.shard.read(jobID: 3, keys: [PartitionKey(variableID: 0, partition: 0), PartitionKey(variableID: 1, partition: 0)]) { _, bufs in
            bufs.map { Array($0) }
        }
        #expect(Array(a) == expected[0])
        #expect(Array(b) == [0])
        let sizes = recorder.channel!.sizes.all
        // 300 rows of 68 bytes at 14 rows per message, the bias riding in the last: 22 push answers, then 22 pull answers.
        #expect(sizes.count == 22 + 22)
        #expect(sizes.allSatisfy { $0 <= limit + 512 })
        client.close()
        await daemon.stop()
    }
}

@Suite(.serialized) struct ChunkPushTests {
    @Test func syncTwoWorkersPushingInChunksApplyTheExactAverageOnce() async throws {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-chunks-\(UUID().uuidString)").path
        let config = ParameterServerConfig(listen: HostPort(host: "127.0.0.1", port: 0), dataDir: dir, coordinator: nil, name: "ps-chunks")
        let daemon = try ParameterServerDaemon(config: config, logger: logger)
        _ = try await daemon.start()
        guard let data = try await daemon.dataAddress() else { throw RuntimeFailure(.unavailable, "native listener did not start") }
        let big = VariableSpec(name: "big", shape: Shape([100, 9]), initializer: .uniform(low: -1, high: 1))
        try daemon.shard.createJob(jobID: 4, partitions: [PartitionSpec.whole(variableID: 0, variable: big, seed: 8)], optimizer: .sgd(1), consistency: .sync(replicas: 2))
        let route = PartitionRoute(variableID: 0, partition: 0, variableIndex: 0, elementOffset: 0, shape: big.shape)
        let clients = try (0..<2).map { w in
            try ParameterClient(jobID: 4, workerID: UInt32(w), routes: [(data, [route])], chunkLimitBytes: 400) { try DataPlaneChannels.make(.native, address: $0) }
        }
        let initial = try daemon.shard.read(jobID: 4, keys: [PartitionKey(variableID: 0, partition: 0)]) { _, b in Array(b[0]) }
        let grads: [[Float]] = (0..<2).map { w in (0..<900).map { Float(($0 * (w + 3)) % 11) - 5 } }
        let buffers = grads.map { g -> UnsafeMutableBufferPointer<Float> in
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: g.count)
            _ = b.initialize(from: g)
            return b
        }
        defer { for b in buffers { b.deallocate() } }
        let first = try await clients[0].push(StepGradients(dense: VariableBuffers([buffers[0]])), versions: [0])
        #expect(first.accepted == 1)
        #expect(try daemon.shard.version(jobID: 4) == 0)
        let second = try await clients[1].push(StepGradients(dense: VariableBuffers([buffers[1]])), versions: [0])
        #expect(second.maxVersion == 1)
        let stats = try daemon.shard.stats(jobID: 4)
        #expect(stats.version == 1 && stats.applied == 1)
        let out = UnsafeMutableBufferPointer<Float>.allocate(capacity: 900)
        defer { out.deallocate() }
        _ = try await clients[0].pull(into: VariableBuffers([out]), minimumVersions: [1])
        let expected = (0..<900).map { i in initial[i] - 0.5 * (grads[0][i] + grads[1][i]) }
        #expect(Array(out) == expected)
        for c in clients { c.close() }
        await daemon.stop()
    }
}

private final class LockedBox: @unchecked Sendable {
    var channel: RecordingChannel?
}
