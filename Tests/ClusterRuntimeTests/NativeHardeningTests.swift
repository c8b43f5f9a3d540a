import ClusterRuntime
import Foundation
import Logging
import ParameterStore
import Testing
import TensorWire

/// A psd in this process with the given limits and token, holding job 7 with one variable w[4] = 0
/// (SGD, lr 1, async); its native data-plane address.
private struct HardenedShard {
    static let token = "hardening-token-0123456789"
    let daemon: ParameterServerDaemon
    let control: HostPort
    let data: HostPort

    static func start(limits: ServerLimits = .default, native: NativeTransportLimits? = nil) async throws -> HardenedShard {
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        var config = ParameterServerConfig(
            listen: HostPort(host: "127.0.0.1", port: 0), dataDir: try temporaryDirectory("hardening").path, coordinator: nil,
            name: "ps-hardening-\(UUID().uuidString.prefix(6))", token: token)
        config.limits = limits
        let daemon = try ParameterServerDaemon(config: config, logger: logger)
        let control = try await daemon.start()
        guard let data = try await daemon.dataAddress() else { throw RuntimeFailure(.unavailable, "native listener did not start") }
        try daemon.shard.createJob(
            jobID: 7,
            partitions: [PartitionSpec.whole(variableID: 0, variable: VariableSpec(name: "w", shape: Shape([4]), initializer: .zeros), seed: 1)],
            optimizer: .sgd(1), consistency: .async)
        return HardenedShard(daemon: daemon, control: control, data: data)
    }

    /// A worker's client of job 7 over `kind`, with the right token unless told otherwise.
    func client(_ kind: DataPlaneKind = .native, token: String? = HardenedShard.token, timeout: Duration = .seconds(30)) throws -> ParameterClient {
        let route = PartitionRoute(variableID: 0, partition: 0, variableIndex: 0, elementOffset: 0, shape: Shape([4]))
        let address = kind == .native ? data : control
        return try ParameterClient(jobID: 7, workerID: 1, routes: [(address, [route])], timeout: timeout) {
            try DataPlaneChannels.make(kind, address: $0, token: token)
        }
    }

    /// Pulls w, pushes gradient `g` for every element against that version, then pulls w back.
    func pushThenPull(_ client: ParameterClient, gradient g: Float) async throws -> [Float] {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: .nan)
        let versions = try await client.pull(into: VariableBuffers([buffer]))
        buffer.initialize(repeating: g)
        _ = try await client.push(StepGradients(dense: VariableBuffers([buffer])), versions: versions)
        buffer.initialize(repeating: .nan)
        try await client.pull(into: VariableBuffers([buffer]))
        return Array(buffer)
    }

    func stop() async { await daemon.stop() }
}

/// The native data-plane port against a hostile client: nothing is allocated or served before the
/// handshake, connections are capped and closed when idle, and a client that leaves takes its
/// waiting requests with it. Over real sockets.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct NativeHardeningTests {
    @Test("a 2 GiB body declared before the handshake is refused at once (UNAUTHENTICATED, closed), nothing allocated")
    func hugeBodyBeforeHandshake() async throws {
        let shard = try await HardenedShard.start()
        defer { Task { await shard.stop() } }
        let mappedBefore = virtualMemoryBytes()
        let socket = try RawTCP(shard.data)
        #expect(socket.send(RawTCP.preamble(method: 2, requestID: 5, length: 2 << 30)))
        // Only the preamble was sent: the answer comes without the server waiting for any body.
        let (bytes, closed) = socket.readUntilClosed()
        let answers = RawTCP.answers(bytes)
        #expect(answers.first?.status == 16, "\(answers)")  // UNAUTHENTICATED
        #expect(answers.first?.text.contains("handshake") == true)
        #expect(closed)
        #expect(virtualMemoryBytes() - mappedBefore < 3 << 29, "the process mapped \(virtualMemoryBytes() - mappedBefore) bytes")

        // Sending body bytes after the preamble changes nothing: still refused, nothing held.
        let streaming = try RawTCP(shard.data)
        streaming.send(RawTCP.preamble(method: 2, requestID: 6, length: 2 << 30))
        streaming.send([UInt8](repeating: 0x5A, count: 4 << 20))
        #expect(RawTCP.answers(streaming.readUntilClosed().bytes).first?.status == 16)
        #expect(virtualMemoryBytes() - mappedBefore < 3 << 29)
        // A hello larger than max_hello_bytes is refused the same way (RESOURCE_EXHAUSTED).
        let bigHello = try RawTCP(shard.data)
        bigHello.send(RawTCP.preamble(method: 0, length: 1 << 30))
        #expect(RawTCP.answers(bigHello.readUntilClosed().bytes).first?.status == 8)
        #expect(try await shard.pushThenPull(try shard.client(), gradient: 1) == [-1, -1, -1, -1])
    }

    @Test("a request before the hello, a wrong token, and requests pipelined behind a wrong token are refused; nothing applied")
    func unauthenticatedRequestsAreRefused() async throws {
        let shard = try await HardenedShard.start()
        defer { Task { await shard.stop() } }
        let early = try RawTCP(shard.data)
        early.send(RawTCP.preamble(method: 1, requestID: 3, length: 0))
        let refused = early.readUntilClosed()
        #expect(RawTCP.answers(refused.bytes).map(\.status) == [16] && refused.closed)

        // A wrong token with a push pipelined behind it: only the refusal comes back, the push is never read.
        let wrong = try RawTCP(shard.data)
        let push = pushFrame()
        wrong.send(RawTCP.hello("not-the-token-0123456789") + RawTCP.preamble(method: 2, requestID: 9, length: UInt64(push.count)) + push)
        let answer = wrong.readUntilClosed()
        #expect(RawTCP.answers(answer.bytes).map(\.status) == [16] && answer.closed)
        #expect(try currentW(shard.daemon) == [0, 0, 0, 0])

        for token in [nil, "wrong-token-but-long-enough"] {
            let client = try shard.client(token: token)
            await #expect { _ = try await shard.pushThenPull(client, gradient: 1) } throws: { error in
                (error as? RuntimeFailure)?.code == .unauthenticated
            }
            client.close()
        }
        #expect(try currentW(shard.daemon) == [0, 0, 0, 0])
        // Each refusal is counted for dashboards.
        let metrics = String(decoding: TesseraMetrics.registry.emitToBuffer(), as: UTF8.self)
        for limit in ["authentication", "message_bytes"] {
            #expect(metrics.contains("tessera_refused_total{limit=\"\(limit)\"}"), "no \(limit) refusals counted")
        }
    }

    @Test("the hello with the right token is answered OK and requests pipelined behind it are served")
    func pipelinedRequestsWaitForTheToken() async throws {
        let shard = try await HardenedShard.start()
        defer { Task { await shard.stop() } }
        let socket = try RawTCP(shard.data)
        let push = pushFrame()
        socket.send(RawTCP.hello(HardenedShard.token) + RawTCP.preamble(method: 2, requestID: 9, length: UInt64(push.count)) + push)
        #expect(try await waitUntil { try currentW(shard.daemon) == [-0.5, -0.5, -0.5, -0.5] })
        socket.close()
    }

    @Test("max_connections: the connection over the cap gets RESOURCE_EXHAUSTED and is closed; a freed slot serves again")
    func connectionCap() async throws {
        let shard = try await HardenedShard.start(limits: ServerLimits(maxConnections: 4))
        defer { Task { await shard.stop() } }
        // Accepted in order: the first four take the slots, the fifth is over the cap.
        let held = try (0..<4).map { _ in try RawTCP(shard.data) }
        let over = try RawTCP(shard.data)
        let refused = over.readUntilClosed()
        let answers = RawTCP.answers(refused.bytes)
        #expect(answers.first?.status == 8 && refused.closed, "\(answers)")  // RESOURCE_EXHAUSTED
        #expect(answers.first?.text.contains("4 connections") == true)
        // A freed slot serves again (the client retries RESOURCE_EXHAUSTED until the close is seen).
        held[0].close()
        let client = try shard.client()
        defer { client.close() }
        #expect(try await shard.pushThenPull(client, gradient: 1) == [-1, -1, -1, -1])
    }

    @Test("idle_timeout closes an authenticated connection with nothing to do; the handshake deadline one without a hello")
    func idleAndHandshakeDeadline() async throws {
        let shard = try await HardenedShard.start(limits: ServerLimits(idleTimeout: .seconds(1)))
        defer { Task { await shard.stop() } }
        let idle = try RawTCP(shard.data)
        idle.send(RawTCP.hello(HardenedShard.token))
        let closed = idle.readUntilClosed(wait: .seconds(30))
        #expect(RawTCP.answers(closed.bytes).map(\.status) == [0] && closed.closed)

        // No hello at all: the handshake deadline (10 s, or the idle timeout if shorter) answers DEADLINE_EXCEEDED.
        let silent = try RawTCP(shard.data)
        let deadline = silent.readUntilClosed(wait: .seconds(30))
        #expect(RawTCP.answers(deadline.bytes).map(\.status) == [4] && deadline.closed)

        // A client keeps working: it reconnects after an idle close.
        let client = try shard.client()
        defer { client.close() }
        #expect(try await shard.pushThenPull(client, gradient: 1) == [-1, -1, -1, -1])
        try await Task.sleep(for: .seconds(2))
        #expect(try await shard.pushThenPull(client, gradient: 1) == [-2, -2, -2, -2])
    }

    @Test("a long-polling pull's task is cancelled when its client disconnects")
    func longPollIsCancelledWithItsConnection() async throws {
        let shard = try await HardenedShard.start()
        defer { Task { await shard.stop() } }
        let client = try shard.client(timeout: .seconds(60))
        let waiting = Task {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4)
            defer { buffer.deallocate() }
            _ = try? await client.pull(into: VariableBuffers([buffer]), minimumVersions: [50])
        }
        #expect(await waitUntil { (try? shard.daemon.shard.stats(jobID: 7).waiting) == 1 })
        client.close()
        // The shard's default pull wait is 30 s: only the cancellation ends the wait this early.
        #expect(await waitUntil(within: .seconds(10)) { (try? shard.daemon.shard.stats(jobID: 7).waiting) == 0 })
        await waiting.value
    }

    @Test("one connection serves at most max_requests_in_flight at once; the rest wait in the socket and are all answered")
    func requestsInFlightAreBounded() async throws {
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let store = ParameterShard(logger: logger)
        try store.createJob(
            jobID: 7,
            partitions: [PartitionSpec.whole(variableID: 0, variable: VariableSpec(name: "w", shape: Shape([4]), initializer: .zeros), seed: 1)],
            optimizer: .sgd(1), consistency: .async)
        let server = NativeDataPlaneServer(
            address: HostPort(host: "127.0.0.1", port: 0), handler: DataPlaneHandler(shard: store, logger: logger, maxPullWait: .seconds(1)),
            limits: NativeTransportLimits(maxRequestsInFlight: 2), logger: logger)
        Task { try? await server.run() }
        defer { server.stop() }
        guard let address = try await server.boundAddress() else { throw RuntimeFailure(.unavailable, "no listener") }
        let socket = try RawTCP(address)
        var bytes = RawTCP.hello("")
        for id in 1...5 {
            let pull = WireFormat.encode(WireFrame(
                header: FrameHeader(kind: .pullRequest, requestID: UInt64(id), jobID: 7, senderID: 1),
                entries: [.empty(variableID: 0, partition: 0, version: 99)]))
            bytes += RawTCP.preamble(method: 1, requestID: UInt64(id), length: UInt64(pull.count)) + pull
        }
        socket.send(bytes)
        // Five long-polls for a version that never comes: two wait on the shard, three in the socket.
        #expect(try await waitUntil { try store.stats(jobID: 7).waiting == 2 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(try store.stats(jobID: 7).waiting == 2)
        // Each ends at the pull wait (DEADLINE_EXCEEDED), letting the next in: all five answered.
        var received: [UInt8] = []
        for _ in 0..<40 where RawTCP.answers(received).count < 6 {
            received += socket.readUntilClosed(wait: .milliseconds(500)).bytes
        }
        #expect(RawTCP.answers(received).map(\.status) == [0, 4, 4, 4, 4, 4])
    }

    @Test("1000 half-open and idle connections, then a normal client still pushes and pulls over both transports")
    func floodThenNormalClient() async throws {
        let shard = try await HardenedShard.start()
        defer { Task { await shard.stop() } }
        var flood: [RawTCP] = []
        for index in 0..<1000 {
            let socket = try RawTCP(index.isMultiple(of: 2) ? shard.data : shard.control)
            switch index % 4 {
            case 0: socket.send(Array(RawTCP.preamble(method: 0, length: 40).prefix(10)))  // a preamble cut short
            case 1: socket.send(Array("PRI * HTTP/2.0\r\n".utf8))  // half an HTTP/2 preface
            default: break  // connected, silent
            }
            flood.append(socket)
        }
        for kind in [DataPlaneKind.native, .grpc] {
            let client = try shard.client(kind)
            defer { client.close() }
            let before = try await shard.pushThenPull(client, gradient: 0)
            let after = try await shard.pushThenPull(client, gradient: 1)
            #expect(zip(before, after).allSatisfy { $0 - $1 == 1 }, "\(kind): \(before) → \(after)")
        }
        let member = try CoordinatorClient(address: shard.control, timeout: .seconds(10), security: RPCSecurity(token: HardenedShard.token))
        #expect(try await member.status().version.isEmpty == false)
        member.close()
        for socket in flood { socket.close() }
    }
}
