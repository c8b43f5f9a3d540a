import ClusterRuntime
import Foundation
import Logging
import NIOCore
import NIOPosix
import ParameterStore
import Testing
import TensorWire

/// One psd in this process with a job created directly on its shard: one dense variable split in
/// two partitions, so pulls and pushes carry several entries.
private struct ShardFixture {
    static let jobID: UInt64 = 7
    static let rows = 300
    static let width = 17

    let daemon: ParameterServerDaemon
    let controlAddress: HostPort
    let dataAddress: HostPort

    static func start(token: String? = nil, optimizer: OptimizerConfig = .sgd(0.5)) async throws -> ShardFixture {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-native-\(UUID().uuidString)").path
        var config = ParameterServerConfig(listen: HostPort(host: "127.0.0.1", port: 0), dataDir: dir, coordinator: nil, name: "ps-native")
        config.token = token
        let daemon = try ParameterServerDaemon(config: config, logger: logger)
        let control = try await daemon.start()
        guard let data = try await daemon.dataAddress() else { throw RuntimeFailure(.unavailable, "native listener did not start") }
        let variable = VariableSpec(name: "w", shape: Shape([rows, width]), initializer: .uniform(low: -1, high: 1))
        let half = rows / 2
        try daemon.shard.createJob(
            jobID: jobID,
            partitions: [
                PartitionSpec(variableID: 0, partition: 0, variable: variable, rowOffset: 0, rowCount: half, seed: 1),
                PartitionSpec(variableID: 0, partition: 1, variable: variable, rowOffset: half, rowCount: rows - half, seed: 2),
            ],
            optimizer: optimizer, consistency: .async)
        return ShardFixture(daemon: daemon, controlAddress: control, dataAddress: data)
    }

    var routes: [PartitionRoute] {
        let half = Self.rows / 2
        return [
            PartitionRoute(variableID: 0, partition: 0, variableIndex: 0, elementOffset: 0, shape: Shape([half, Self.width])),
            PartitionRoute(variableID: 0, partition: 1, variableIndex: 0, elementOffset: half * Self.width, shape: Shape([Self.rows - half, Self.width])),
        ]
    }

    func client(_ kind: DataPlaneKind, token: String? = nil) throws -> ParameterClient {
        let address = kind == .native ? dataAddress : controlAddress
        return try ParameterClient(jobID: Self.jobID, workerID: 1, routes: [(address, routes)]) {
            try DataPlaneChannels.make(kind, address: $0, token: token)
        }
    }

    func pull(_ client: ParameterClient) async throws -> [Float] {
        var storage = [[Float](repeating: .nan, count: Self.rows * Self.width)]
        try await withBuffers(&storage) { _ = try await client.pull(into: $0) }
        return storage[0]
    }

    func push(_ client: ParameterClient, gradient: [Float], version: UInt64) async throws -> PushSummary {
        var storage = [gradient]
        return try await withBuffers(&storage) { try await client.push(StepGradients(dense: $0), versions: [version]) }
    }

    func stop() async { await daemon.stop() }
}

/// Runs `body` with raw buffers over arrays of floats, copying the results back.
private func withBuffers<R>(_ arrays: inout [[Float]], _ body: (VariableBuffers) async throws -> R) async rethrows -> R {
    let pointers = arrays.map { array -> UnsafeMutableBufferPointer<Float> in
        let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: array.count)
        _ = p.initialize(from: array)
        return p
    }
    defer { for p in pointers { p.deallocate() } }
    let result = try await body(VariableBuffers(pointers))
    for (i, p) in pointers.enumerated() { arrays[i] = Array(p) }
    return result
}

/// Sends raw bytes to an address and returns what comes back until the peer closes (or 5 s pass).
private func rawExchange(_ address: HostPort, _ bytes: [UInt8]) async throws -> [UInt8] {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: address.host, port: address.port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(bytes: bytes))
        var received: [UInt8] = []
        let reader = Task {
            var collected: [UInt8] = []
            for try await chunk in inbound { collected += Array(chunk.readableBytesView) }
            return collected
        }
        let timer = Task {
            try await Task.sleep(for: .seconds(5))
            reader.cancel()
        }
        received = (try? await reader.value) ?? []
        timer.cancel()
        return received
    }
}

/// A 24-byte native preamble, built by hand as a foreign client would.
private func preamble(method: UInt8, requestID: UInt64, length: UInt64, magic: UInt32 = 0x3150_4454) -> [UInt8] {
    var bytes: [UInt8] = []
    withUnsafeBytes(of: magic.littleEndian) { bytes += $0 }
    bytes += [method, 0]
    withUnsafeBytes(of: UInt16(0).littleEndian) { bytes += $0 }
    withUnsafeBytes(of: requestID.littleEndian) { bytes += $0 }
    withUnsafeBytes(of: length.littleEndian) { bytes += $0 }
    return bytes
}

/// The status code of the first answer in `bytes` (gRPC numbering), nil when there is none.
private func firstStatus(_ bytes: [UInt8]) -> UInt16? {
    guard bytes.count >= 24 else { return nil }
    return UInt16(bytes[6]) | UInt16(bytes[7]) << 8
}

@Suite("Native data-plane transport")
struct NativeTransportTests {
    @Test("pull and push over native give the same results as over gRPC")
    func roundTripMatchesGRPC() async throws {
        let fixture = try await ShardFixture.start()
        defer { Task { await fixture.stop() } }
        let native = try fixture.client(.native)
        let grpc = try fixture.client(.grpc)
        defer { native.close(); grpc.close() }

        let initialNative = try await fixture.pull(native)
        let initialGRPC = try await fixture.pull(grpc)
        #expect(initialNative == initialGRPC)
        #expect(!initialNative.contains { $0.isNaN })

        let gradient = (0..<(ShardFixture.rows * ShardFixture.width)).map { Float($0 % 13) * 0.25 }
        let first = try await fixture.push(native, gradient: gradient, version: 0)
        #expect(first.accepted == 1 && first.stale == 0)
        let afterNative = try await fixture.pull(native)
        #expect(afterNative == (try await fixture.pull(grpc)))
        let expected = zip(initialNative, gradient).map { $0 - 0.5 * $1 }
        #expect(afterNative == expected)

        _ = try await fixture.push(grpc, gradient: gradient, version: 1)
        let afterBoth = try await fixture.pull(native)
        #expect(afterBoth == (try await fixture.pull(grpc)))
        #expect(afterBoth == zip(expected, gradient).map { $0 - 0.5 * $1 })
    }

    @Test("many concurrent calls share one connection")
    func concurrentCalls() async throws {
        let fixture = try await ShardFixture.start()
        defer { Task { await fixture.stop() } }
        let native = try fixture.client(.native)
        defer { native.close() }
        let reference = try await fixture.pull(native)
        try await withThrowingTaskGroup(of: [Float].self) { group in
            for _ in 0..<16 { group.addTask { try await fixture.pull(native) } }
            for try await values in group { #expect(values == reference) }
        }
    }

    @Test("once connected, a task preferring the connection's event loop runs there, before and after its calls")
    func exchangesRunOnTheConnectionsEventLoop() async throws {
        let fixture = try await ShardFixture.start()
        defer { Task { await fixture.stop() } }
        let native = try fixture.client(.native), overGRPC = try fixture.client(.grpc)
        defer { native.close(); overGRPC.close() }
        #expect(native.preferredTaskExecutor == nil, "not connected yet")
        let reference = try await fixture.pull(native)
        _ = try await fixture.pull(overGRPC)
        #expect(overGRPC.preferredTaskExecutor == nil, "gRPC answers arrive on its own threads")
        let executor = try #require(native.preferredTaskExecutor)
        for _ in 0..<20 {
            let (before, values, after) = try await Task(executorPreference: executor) {
                let before = MultiThreadedEventLoopGroup.currentEventLoop != nil
                let values = try await fixture.pull(native)
                return (before, values, MultiThreadedEventLoopGroup.currentEventLoop != nil)
            }.value
            #expect(before && after && values == reference)
        }
        let pushed = try await fixture.push(native, gradient: [Float](repeating: 0, count: ShardFixture.rows * ShardFixture.width), version: 0)
        #expect(pushed.accepted == 1)
    }

    @Test("shard errors arrive with the shard's code")
    func shardErrorsKeepTheirCode() async throws {
        let fixture = try await ShardFixture.start()
        defer { Task { await fixture.stop() } }
        let channel = NativeDataPlaneChannel(address: fixture.dataAddress)
        defer { channel.close() }
        let header = FrameHeader(kind: .pullRequest, requestID: 1, jobID: 999, senderID: 1)
        let request = WireFormat.encode(WireFrame(header: header, entries: [WireEntry(header: .empty(variableID: 0, partition: 0, version: 0), rowKeys: [], payload: [])]))
        await #expect { try await channel.exchange(.pull, request: request, timeout: .seconds(5)) } throws: { error in
            (error as? RuntimeFailure)?.code == .notFound
        }
        await #expect { try await channel.exchange(.push, request: [1, 2, 3], timeout: .seconds(5)) } throws: { error in
            (error as? RuntimeFailure)?.code == .invalidArgument
        }
        // The connection survives shard errors.
        let client = try fixture.client(.native)
        defer { client.close() }
        #expect(try await fixture.pull(client).count == ShardFixture.rows * ShardFixture.width)
    }

    @Test("garbage, oversize lengths and unknown methods are refused while others are served")
    func malformedInput() async throws {
        let fixture = try await ShardFixture.start()
        defer { Task { await fixture.stop() } }
        let healthy = try fixture.client(.native)
        defer { healthy.close() }
        let before = try await fixture.pull(healthy)

        let garbage = try await rawExchange(fixture.dataAddress, Array(repeating: 0xAB, count: 100))
        #expect(firstStatus(garbage) == 3)  // INVALID_ARGUMENT
        let hello = preamble(method: 0, requestID: 0, length: 0)
        let oversize = try await rawExchange(fixture.dataAddress, hello + preamble(method: 1, requestID: 9, length: 3 << 30))
        #expect(firstStatus(Array(oversize.dropFirst(24))) == 8)  // RESOURCE_EXHAUSTED, after the handshake's OK
        let unknown = try await rawExchange(fixture.dataAddress, hello + preamble(method: 77, requestID: 9, length: 0))
        #expect(firstStatus(Array(unknown.dropFirst(24))) == 3)
        let noHandshake = try await rawExchange(fixture.dataAddress, preamble(method: 1, requestID: 4, length: 0))
        #expect(firstStatus(noHandshake) == 16)  // UNAUTHENTICATED

        #expect(try await fixture.pull(healthy) == before)
    }

    @Test("a wrong or missing token is refused with UNAUTHENTICATED; the right one is served")
    func tokenHandshake() async throws {
        let fixture = try await ShardFixture.start(token: "s3cret")
        defer { Task { await fixture.stop() } }
        for token in [nil, "wrong"] {
            let client = try fixture.client(.native, token: token)
            await #expect { try await fixture.pull(client) } throws: { error in
                (error as? RuntimeFailure)?.code == .unauthenticated
            }
            client.close()
        }
        let good = try fixture.client(.native, token: "s3cret")
        defer { good.close() }
        #expect(try await fixture.pull(good).count == ShardFixture.rows * ShardFixture.width)
    }

    @Test("a call without an answer fails with DEADLINE_EXCEEDED at its deadline")
    func deadline() async throws {
        // A listener that accepts and never answers.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let channel = NativeDataPlaneChannel(address: HostPort(host: "127.0.0.1", port: silent.localAddress!.port!))
        defer { channel.close() }
        let started = ContinuousClock.now
        await #expect { try await channel.exchange(.pull, request: [0], timeout: .milliseconds(300)) } throws: { error in
            (error as? RuntimeFailure)?.code == .deadlineExceeded
        }
        // Generous bound: the suite runs beside many others on 2 cores; what matters is that it does not hang.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("an address with nothing listening is UNAVAILABLE")
    func unreachable() async throws {
        let channel = NativeDataPlaneChannel(address: HostPort(host: "127.0.0.1", port: 1))
        defer { channel.close() }
        await #expect { try await channel.exchange(.pull, request: [0], timeout: .seconds(2)) } throws: { error in
            (error as? RuntimeFailure)?.code == .unavailable
        }
    }
}
