import Logging
import NIOCore

/// Serves one native data-plane connection: checks the handshake's token, then hands each request
/// frame to the shard's `DataPlaneHandler` (several in flight at once) and writes each answer as a
/// single buffer tagged with the request's id.
///
/// Input it cannot accept (bad preamble, oversize length, a request before the handshake, a wrong
/// token) is answered with the matching status code, then the connection is closed; the server
/// itself never stops for it.
final class NativeServerHandler: ChannelInboundHandler {
    typealias InboundIn = NativeMessage
    typealias OutboundOut = ByteBuffer

    private let handler: DataPlaneHandler
    private let token: [UInt8]?
    private let metrics: ShardMetrics?
    private let arrays: NativeArrayPool
    private let logger: Logger
    private var authenticated = false
    private var closing = false
    private let sendBuffers = NativeSendBuffers()

    init(handler: DataPlaneHandler, token: String?, metrics: ShardMetrics?, arrays: NativeArrayPool, logger: Logger) {
        self.arrays = arrays
        self.handler = handler
        self.token = token.map { Array($0.utf8) }
        self.metrics = metrics
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let message = unwrapInboundIn(data)
        let preamble = message.preamble
        guard !preamble.isResponse else {
            return refuse(context, preamble.method, preamble.requestID, .invalidArgument, "a client sent an answer frame")
        }
        guard let method = preamble.method.dataPlaneMethod else {
            return handshake(context, message)
        }
        guard authenticated else {
            return refuse(context, preamble.method, preamble.requestID, .unauthenticated, "the first message on a data-plane connection must be the handshake")
        }
        let channel = context.channel
        let handler = self.handler
        let logger = self.logger
        let metrics = self.metrics
        let sendBuffers = self.sendBuffers
        let arrays = self.arrays
        var request = message.body.bytes
        if serveAtOnce(context, method, preamble, &request) { return }
        let box = NativeRequestBox(request)
        request = []
        Task {
            var request = box.take()
            let answer: ByteBuffer
            let write = NativeAnswers.writer(preamble, channel, sendBuffers)
            do {
                if let metrics {
                    answer = try await metrics.record(method, requestBytes: request.count, bytes: NativeAnswers.frameBytes, isStale: NativeAnswers.isStale) {
                        try await handler.handle(method, request: request, answer: write)
                    }
                } else {
                    answer = try await handler.handle(method, request: request, answer: write)
                }
            } catch {
                answer = NativeAnswers.failure(error, to: preamble, allocator: channel.allocator, logger: logger)
            }
            // Back to the decoder for the next message (before the answer can prompt one), with this task's reference dropped.
            arrays.recycle(request)
            request = []
            channel.writeAndFlush(answer).whenComplete { _ in sendBuffers.recycle(answer) }
        }
    }

    /// Serves a request that needs no waiting on this event loop (`DataPlaneHandler.handleAtOnce`), saving the hops to a
    /// task and back; false, with nothing done, when it must wait (a long-polling pull, a paused job) or is large.
    private func serveAtOnce(
        _ context: ChannelHandlerContext, _ method: DataPlaneMethod, _ preamble: NativePreamble, _ request: inout [UInt8]
    ) -> Bool {
        let answer: ByteBuffer
        let write = NativeAnswers.writer(preamble, context.channel, sendBuffers)
        do {
            let request = request
            let served: ByteBuffer?
            if let metrics {
                served = try metrics.recordAtOnce(method, requestBytes: request.count, bytes: NativeAnswers.frameBytes, isStale: NativeAnswers.isStale) {
                    try handler.handleAtOnce(method, request: request, limit: Self.atOnceLimit, answer: write)
                }
            } else {
                served = try handler.handleAtOnce(method, request: request, limit: Self.atOnceLimit, answer: write)
            }
            guard let served else { return false }
            answer = served
        } catch {
            answer = NativeAnswers.failure(error, to: preamble, allocator: context.channel.allocator, logger: logger)
        }
        arrays.recycle(request)
        request = []
        let sendBuffers = self.sendBuffers
        context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in sendBuffers.recycle(answer) }
        return true
    }

    /// Largest request served on the event loop itself (a push's apply blocks the loop for its duration).
    static let atOnceLimit = 8 << 20

    private func handshake(_ context: ChannelHandlerContext, _ message: NativeMessage) {
        if let token, !constantTimeEqual(token, message.body.bytes) {
            return refuse(context, .hello, message.preamble.requestID, .unauthenticated, "the data-plane handshake carried a missing or wrong bearer token")
        }
        authenticated = true
        let ok = NativePreamble(method: .hello, isResponse: true, status: 0, requestID: message.preamble.requestID, length: 0)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.nativeMessage(ok, body: UnsafeRawBufferPointer(start: nil, count: 0))), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let framing = error as? NativeFramingError {
            refuse(context, .hello, framing.requestID, framing.code, framing.message)
        } else {
            logger.debug("data-plane connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    /// Answers with an error, then closes the connection once the answer is written.
    private func refuse(_ context: ChannelHandlerContext, _ method: NativeMethod, _ requestID: UInt64, _ code: RuntimeFailure.Code, _ message: String) {
        guard !closing else { return }
        closing = true
        logger.debug("refusing data-plane connection", metadata: ["code": "\(code.rawValue)", "reason": "\(message)"])
        let answer = context.channel.allocator.nativeFailure(method, requestID: requestID, code: code, message: message)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Compares two byte strings in time independent of where they differ.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count { difference |= a[i] ^ b[i] }
    return difference == 0
}

/// How the native server writes and inspects answers held in its send buffers.
enum NativeAnswers {
    /// Writes the answer to `request` straight into a buffer the connection sends (a pull: from the variables' storage).
    static func writer(_ request: NativePreamble, _ channel: any Channel, _ sendBuffers: NativeSendBuffers) -> AnswerWriter<ByteBuffer> {
        let header = NativePreamble(method: request.method, isResponse: true, status: 0, requestID: request.requestID, length: 0)
        return { bytes, encode in try sendBuffers.message(header, bodyBytes: bytes, allocator: channel.allocator, encode: encode) }
    }

    /// The answer to `request` carrying `error`'s status and sentence (logged at debug level).
    static func failure(_ error: any Error, to request: NativePreamble, allocator: ByteBufferAllocator, logger: Logger) -> ByteBuffer {
        let failure = RuntimeFailure(serving: error)
        logger.debug("data-plane request failed", metadata: ["method": "\(request.method)", "error": "\(failure.message)"])
        return allocator.nativeFailure(request.method, requestID: request.requestID, code: failure.code, message: failure.message)
    }

    /// The TensorWire frame bytes of an answer (after the preamble).
    static func frameBytes(_ answer: ByteBuffer) -> Int { answer.readableBytes - NativePreamble.size }

    /// Whether an answer is a push answer saying the gradient was dropped as stale.
    static func isStale(_ answer: ByteBuffer) -> Bool {
        answer.withUnsafeReadableBytes { ShardMetrics.isStaleAnswer(UnsafeRawBufferPointer(rebasing: $0.dropFirst(NativePreamble.size))) }
    }
}
