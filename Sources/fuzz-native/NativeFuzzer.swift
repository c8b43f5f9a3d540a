@_spi(Fuzzing) import ClusterRuntime
import Dispatch
import Foundation
import FuzzSupport
import Logging
import NIOCore
import NIOEmbedded
import ParameterStore
import Synchronization
import TensorWire

/// One fuzz input as the byte stream of a hostile native data-plane connection, fed in reads split at
/// input-chosen points through the server's own pipeline (`NativeDataPlaneServer.configureConnection`:
/// idle timer, `NativeMessageDecoder`, `NativeServerHandler`) on a `NIOAsyncTestingChannel` — the
/// thread-safe embedded channel, since requests that wait are served on Swift tasks that come back
/// to the channel's loop — with a real `DataPlaneHandler` over a small shard.
///
/// Input: byte 0 flags (bit 0: the server requires `token`; bit 1: advance the loop's clock past the
/// handshake deadline at the end; bit 2: past the idle timeout), byte 1 the number k ≤ 15 of read
/// sizes, k bytes of sizes (1…256, used in turn), then the stream. Any outcome is fine except a trap;
/// after the connection closes, no request may stay admitted or waiting on the shard.
enum NativeFuzzer {
    /// The token the server requires when flag bit 0 is set.
    static let token = "fuzz-native-token-0123456789"
    /// Job 1 (async SGD): w [4] whole and v [6, 2] in two partitions.
    static let jobID: UInt64 = 1
    /// Limits small enough for a few bytes to reach each refusal.
    static let transportLimits = NativeTransportLimits(
        maxMessageBytes: 1 << 20, maxHelloBytes: 64, maxRequestsInFlight: 2, handshakeTimeout: .seconds(10))
    static let serverLimits: ServerLimits = {
        var limits = ServerLimits(idleTimeout: .seconds(30))
        limits.maxAnswerBytes = 64 << 10
        limits.maxPendingPulls = 2
        limits.memoryLimitBytes = 1 << 20
        return limits
    }()

    /// Runs one input.
    static func fuzz(_ data: [UInt8]) {
        guard data.count >= 2, data.count <= 1 << 20 else { return }
        let flags = data[0]
        let sizesEnd = min(data.count, 2 + Int(data[1] % 16))
        let sizes = data[2..<sizesEnd].map { Int($0) + 1 }
        let stream = Array(data[sizesEnd...])
        let handler = makeHandler()
        blocking {
            await feed(stream, sizes: sizes, flags: flags, handler: handler)
            // The connection is closed: its tasks are cancelled, so nothing stays admitted or waiting.
            let settled = await settle(handler, within: .seconds(5))
            precondition(settled, "a closed connection left \(handler.pendingPullCount) pulls waiting, \(handler.admission.stats.inFlightBytes) bytes admitted")
        }
    }

    /// Waits until no request of `handler` is admitted or waiting (true), or `limit` passes (false).
    static func settle(_ handler: DataPlaneHandler, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while handler.pendingPullCount != 0 || handler.admission.stats.inFlightBytes != 0 {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .microseconds(200))
        }
        return true
    }

    /// A fresh shard holding job 1 behind a data-plane handler with tight limits.
    static func makeHandler() -> DataPlaneHandler {
        let logger = Logger(label: "fuzz-native") { _ in SwiftLogNoOpLogHandler() }
        let shard = ParameterShard(logger: logger, memoryLimitBytes: serverLimits.memoryLimitBytes)
        let w = VariableSpec(name: "w", shape: Shape([4]), initializer: .zeros)
        let v = VariableSpec(name: "v", shape: Shape([6, 2]), initializer: .uniform(low: -1, high: 1))
        do {
            try shard.createJob(
                jobID: jobID,
                partitions: [
                    .whole(variableID: 0, variable: w, seed: 1),
                    PartitionSpec(variableID: 1, partition: 0, variable: v, rowOffset: 0, rowCount: 3, seed: 2),
                    PartitionSpec(variableID: 1, partition: 1, variable: v, rowOffset: 3, rowCount: 3, seed: 2),
                ],
                optimizer: .sgd(0.1), consistency: .async)
        } catch {
            fatalError("the fuzz fixture's job is invalid: \(error)")
        }
        return DataPlaneHandler(
            shard: shard, logger: logger, maxPullWait: .milliseconds(1), admission: DataPlaneAdmission(limitBytes: 256 << 10),
            limits: serverLimits)
    }

    /// Feeds `stream` to a fresh connection in reads of `sizes` (in turn), then moves time as `flags` ask and closes.
    static func feed(_ stream: [UInt8], sizes: [Int], flags: UInt8, handler: DataPlaneHandler) async {
        let channel = NIOAsyncTestingChannel()
        let settings = NativeDataPlaneServer.ConnectionSettings(
            handler: handler, token: flags & 1 != 0 ? token : nil, metrics: nil, limits: transportLimits, serverLimits: serverLimits,
            logger: Logger(label: "fuzz-native") { _ in SwiftLogNoOpLogHandler() })
        do {
            try await channel.testingEventLoop.executeInContext {
                try NativeDataPlaneServer.configureConnection(channel, settings: settings)
            }
            try await channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 7071))
        } catch {
            fatalError("cannot set up the embedded connection: \(error)")
        }
        var offset = 0
        var turn = 0
        while offset < stream.count, channel.isActive {
            let size = sizes.isEmpty ? stream.count : sizes[turn % sizes.count]
            let end = min(stream.count, offset + size)
            _ = try? await channel.writeInbound(ByteBuffer(bytes: stream[offset..<end]))
            await drain(channel)
            offset = end
            turn += 1
        }
        // Let tasks serving requests answer (their pull waits are 1 ms) before the clock moves or the connection closes.
        _ = await settle(handler, within: .milliseconds(50))
        if flags & 2 != 0 { await channel.testingEventLoop.advanceTime(by: .seconds(11)) }
        if flags & 4 != 0 { await channel.testingEventLoop.advanceTime(by: .seconds(31)) }
        await drain(channel)
        _ = try? await channel.close()
        await channel.testingEventLoop.advanceTime(by: .seconds(5))
        await drain(channel)
        try? await channel.testingEventLoop.shutdownGracefully()
    }

    /// Reads every answer the server wrote (as a client would), checking each is a whole preamble plus its body.
    static func drain(_ channel: NIOAsyncTestingChannel) async {
        while let answer = try? await channel.readOutbound(as: ByteBuffer.self) {
            precondition(answer.readableBytes >= 24, "the server wrote an answer of \(answer.readableBytes) bytes, shorter than a preamble")
            let length = answer.getInteger(at: answer.readerIndex + 16, endianness: .little, as: UInt64.self) ?? 0
            precondition(length == UInt64(answer.readableBytes - 24), "an answer's preamble says \(length) body bytes, it carries \(answer.readableBytes - 24)")
        }
    }

    /// Runs `body` to completion on the cooperative pool and waits for it here (libFuzzer's callback is synchronous).
    static func blocking(_ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await body()
            done.signal()
        }
        done.wait()
    }

    /// Writes the seed inputs; returns how many.
    static func writeSeeds(to directory: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let seeds = NativeFuzzSeeds.all()
        for (name, bytes) in seeds {
            try Data(bytes).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("\(name).bin")))
        }
        return seeds.count
    }
}
