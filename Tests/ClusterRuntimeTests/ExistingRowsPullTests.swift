import ClusterRuntime
import Foundation
import Logging
import ParameterStore
import Testing
import TensorWire

/// The serving replica's row read (`EntryFlags.existingRowsOnly`) over real sockets, both transports: it answers
/// exactly what a creating pull answers — trained rows as they are, untouched rows with their initial values — and
/// creates no row on any shard.
@Suite(.serialized) struct ExistingRowsPullTests {
    static let width = 3
    static let variable = VariableSpec(name: "emb", shape: Shape([0, width]), kind: .embedding, initializer: .uniform(low: -1, high: 1))
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Two psd holding one hash partition each of `variable` for job 1.
    static func shards() async throws -> (daemons: [ParameterServerDaemon], grpc: [HostPort], native: [HostPort]) {
        var daemons: [ParameterServerDaemon] = [], grpc: [HostPort] = [], native: [HostPort] = []
        for i in 0..<2 {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-rows-\(UUID().uuidString)").path
            let daemon = try ParameterServerDaemon(
                config: ParameterServerConfig(listen: HostPort(host: "127.0.0.1", port: 0), dataDir: dir, coordinator: nil, name: "ps-rows-\(i)"),
                logger: logger)
            grpc.append(try await daemon.start())
            native.append(try #require(try await daemon.dataAddress()))
            try daemon.shard.createJob(
                jobID: 1, partitions: [PartitionSpec(variableID: 0, partition: UInt32(i), variable: variable, rowOffset: 0, rowCount: 0, seed: 5)],
                optimizer: .sgd(0.5), consistency: .async)
            daemons.append(daemon)
        }
        return (daemons, grpc, native)
    }

    static func client(_ addresses: [HostPort], _ kind: DataPlaneKind) throws -> ParameterClient {
        let routes = addresses.enumerated().map { p, address in
            (address, [PartitionRoute(variableID: 0, partition: UInt32(p), variableIndex: 0, elementOffset: 0, shape: variable.shape, isSparse: true)])
        }
        return try ParameterClient(jobID: 1, workerID: 0, routes: routes, timeout: .seconds(10)) { try DataPlaneChannels.make(kind, address: $0) }
    }

    static func pull(_ client: ParameterClient, _ keys: [Int64], creating: Bool) async throws -> [Float] {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: keys.count * width)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: .nan)
        try await client.pullRows([SparseRowBuffer(variableID: 0, keys: keys, rows: buffer)], creating: creating)
        return Array(buffer)
    }

    static func rowCount(_ daemons: [ParameterServerDaemon]) throws -> Int {
        try daemons.enumerated().reduce(0) { $0 + (try $1.element.shard.sparseRowCount(jobID: 1, key: PartitionKey(variableID: 0, partition: UInt32($1.offset)))) }
    }

    @Test(arguments: [DataPlaneKind.native, .grpc])
    func aReadOfExistingRowsAnswersWhatAPullAnswersAndCreatesNothing(_ kind: DataPlaneKind) async throws {
        let (daemons, grpc, native) = try await Self.shards()
        let client = try Self.client(kind == .native ? native : grpc, kind)
        defer { client.close() }
        // Training touches and changes some rows.
        let trained: [Int64] = [4, 19, -7, 1_000_003]
        _ = try await Self.pull(client, trained, creating: true)
        let gradients = UnsafeMutableBufferPointer<Float>.allocate(capacity: trained.count * Self.width)
        defer { gradients.deallocate() }
        gradients.initialize(repeating: 0.25)
        _ = try await client.push(StepGradients(rows: [SparseRowBuffer(variableID: 0, keys: trained, rows: gradients)]), versions: [0, 0])
        #expect(try Self.rowCount(daemons) == 4)

        // The read of trained and never-seen keys (one repeated) creates nothing on either shard.
        let asked: [Int64] = [19, 77, 4, -123_456, 77, 1_000_003, 5]
        let read = try await Self.pull(client, asked, creating: false)
        #expect(try Self.rowCount(daemons) == 4)
        #expect(!read.contains { $0.isNaN })
        // Trained rows are their trained values; untouched ones their initializer's, seeded by key as a shard creates them.
        let pulled = try await Self.pull(client, asked, creating: true)
        #expect(read == pulled)
        #expect(try Self.rowCount(daemons) == 7)
        var initial = [Float](repeating: 0, count: Self.width)
        initial.withUnsafeMutableBufferPointer {
            Self.variable.initializer.fill($0, shape: Self.variable.shape, seed: PartitionSpec.rowSeed(variableSeed: 5, row: 77))
        }
        #expect(Array(read[3..<6]) == initial)
        for d in daemons { await d.stop() }
    }
}
