import ClusterRuntime
import Foundation
import Logging
import ParameterStore
import Testing
import TensorWire

/// Two psd in this process, each holding one hash partition of an unbounded `[0, width]` embedding, created directly on their shards.
private struct EmbeddingFixture {
    static let width = 4
    static let variable = VariableSpec(name: "emb", shape: Shape([0, width]), kind: .embedding, initializer: .uniform(low: -1, high: 1))

    let daemons: [ParameterServerDaemon]
    let controls: [HostPort]
    let datas: [HostPort]

    static func start() async throws -> EmbeddingFixture {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        var daemons: [ParameterServerDaemon] = [], controls: [HostPort] = [], datas: [HostPort] = []
        for i in 0..<2 {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-sparse-\(UUID().uuidString)").path
            let config = ParameterServerConfig(listen: HostPort(host: "127.0.0.1", port: 0), dataDir: dir, coordinator: nil, name: "ps-sparse-\(i)")
            let daemon = try ParameterServerDaemon(config: config, logger: logger)
            controls.append(try await daemon.start())
            guard let data = try await daemon.dataAddress() else { throw RuntimeFailure(.unavailable, "native listener did not start") }
            datas.append(data)
            daemons.append(daemon)
        }
        return EmbeddingFixture(daemons: daemons, controls: controls, datas: datas)
    }

    func createJob(_ jobID: UInt64, optimizer: OptimizerConfig, consistency: ConsistencyConfig) throws {
        for (p, d) in daemons.enumerated() {
            let spec = PartitionSpec(variableID: 0, partition: UInt32(p), variable: Self.variable, rowOffset: 0, rowCount: 0, seed: 5)
            try d.shard.createJob(jobID: jobID, partitions: [spec], optimizer: optimizer, consistency: consistency)
        }
    }

    func client(_ jobID: UInt64, worker: UInt32, _ kind: DataPlaneKind) throws -> ParameterClient {
        let addresses = kind == .native ? datas : controls
        let routes = addresses.enumerated().map { p, address in
            (address, [PartitionRoute(variableID: 0, partition: UInt32(p), variableIndex: 0, elementOffset: 0, shape: Self.variable.shape, isSparse: true)])
        }
        return try ParameterClient(jobID: jobID, workerID: worker, routes: routes) { try DataPlaneChannels.make(kind, address: $0) }
    }

    func stop() async { for d in daemons { await d.stop() } }
}

private func pull(_ client: ParameterClient, _ keys: [Int64], minimum: [UInt64]? = nil) async throws -> (rows: [Float], versions: [UInt64]) {
    let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: keys.count * EmbeddingFixture.width)
    defer { buffer.deallocate() }
    buffer.initialize(repeating: .nan)
    let versions = try await client.pullSparse(variableID: 0, keys: keys, into: buffer, minimumVersions: minimum)
    return (Array(buffer), versions)
}

private func push(_ client: ParameterClient, _ keys: [Int64], _ rows: [Float], versions: [UInt64]) async throws -> PushSummary {
    let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: rows.count)
    defer { buffer.deallocate() }
    _ = buffer.initialize(from: rows)
    return try await client.push(StepGradients(rows: [SparseRowBuffer(variableID: 0, keys: keys, rows: buffer)]), versions: versions)
}

@Suite(.serialized) struct SparseDataPlaneTests {
    @Test(arguments: [DataPlaneKind.native, .grpc])
    func rowsLiveOnTheirHashShardAndPushesApplyExactly(_ kind: DataPlaneKind) async throws {
        let fixture = try await EmbeddingFixture.start()
        try fixture.createJob(1, optimizer: .sgd(0.5), consistency: .async)
        let client = try fixture.client(1, worker: 0, kind)
        let keys: [Int64] = [3, 17, -42, 1_000_003, 3, 99]
        let (initial, _) = try await pull(client, keys)
        #expect(!initial.contains { $0.isNaN })
        #expect(Array(initial[0..<4]) == Array(initial[16..<20]))
        // Each distinct key was created on exactly the shard the shared rule names, and nowhere else.
        var expected = [0, 0]
        for k in Set(keys) { expected[RowKeyPartitioner.shardIndex(forRowKey: k, shardCount: 2)] += 1 }
        for p in 0..<2 {
            #expect(try fixture.daemons[p].shard.sparseRowCount(jobID: 1, key: PartitionKey(variableID: 0, partition: UInt32(p))) == expected[p])
        }
        #expect(expected[0] > 0 && expected[1] > 0)
        // Push: key 3 twice (summed), then pull back the exact SGD result.
        let grads: [Float] = (0..<(keys.count * 4)).map { Float($0 % 7) - 3 }
        let summary = try await push(client, keys, grads, versions: [0, 0])
        #expect(summary.accepted == 2 && summary.stale == 0)
        let (after, versions) = try await pull(client, keys)
        #expect(versions == [1, 1])
        for (i, k) in keys.enumerated() {
            for j in 0..<4 {
                var g: Float = 0
                for (n, other) in keys.enumerated() where other == k { g += grads[n * 4 + j] }
                #expect(after[i * 4 + j] == initial[i * 4 + j] - 0.5 * g, "key \(k)[\(j)]")
            }
        }
        client.close()
        await fixture.stop()
    }

    @Test func syncTwoWorkersAverageRowGradientsOnce() async throws {
        let fixture = try await EmbeddingFixture.start()
        try fixture.createJob(2, optimizer: .sgd(1), consistency: .sync(replicas: 2))
        let a = try fixture.client(2, worker: 0, .native), b = try fixture.client(2, worker: 1, .native)
        let (initial, v0) = try await pull(a, [10, 11, 12])
        #expect(v0 == [0, 0])
        let first = try await push(a, [10, 11], [Float](repeating: 2, count: 8), versions: v0)
        #expect(first.accepted == 2)
        // Only worker 0 has delivered: nothing applied yet.
        #expect(try await pull(b, [10]).rows == Array(initial[0..<4]))
        _ = try await push(b, [11, 12], [Float](repeating: 4, count: 8), versions: v0)
        let (after, v1) = try await pull(b, [10, 11, 12], minimum: [1, 1])
        #expect(v1 == [1, 1])
        let expected = (0..<12).map { i -> Float in
            let g: Float = i < 4 ? 2 : (i < 8 ? 6 : 4)
            return initial[i] - g / 2
        }
        #expect(after == expected)
        a.close()
        b.close()
        await fixture.stop()
    }
}
