import Logging
import NIOCore

/// Serves one native data-plane connection: checks the handshake's token, then hands each request
/// frame to the shard's `DataPlaneHandler` (up to the intake's limit in flight at once) and writes
/// each answer as a single buffer tagged with the request's id.
///
/// Input it cannot accept (bad preamble, oversize length, a request before the handshake, a wrong
/// token, no handshake within the deadline) is answered with the matching status code, then the
/// connection is closed; the server itself never stops for it. When the connection closes, the
/// tasks still serving its requests (long-polling pulls) are cancelled.
final class NativeServerHandler: ChannelInboundHandler {
    typealias InboundIn = NativeMessage
    typealias OutboundOut = ByteBuffer

    let handler: DataPlaneHandler
    let token: [UInt8]?
    let metrics: ShardMetrics?
    let arrays: NativeArrayPool
    let logger: Logger
    /// What the decoder may take in; shared with it.
    let intake: NativeIntake
    /// How long a connection may take to authenticate.
    let handshakeTimeout: Duration
    var closing = false
    let sendBuffers = NativeSendBuffers()
    /// Tasks serving this connection's requests, by a per-connection number.
    var tasks: [UInt64: Task<Void, Never>] = [:]
    var nextTask: UInt64 = 0
    var handshakeDeadline: Scheduled<Void>?
    var context: ChannelHandlerContext?

    init(
        handler: DataPlaneHandler, token: String?, metrics: ShardMetrics?, arrays: NativeArrayPool, intake: NativeIntake,
        handshakeTimeout: Duration, logger: Logger
    ) {
        self.arrays = arrays
        self.handler = handler
        self.token = token.map { Array($0.utf8) }
        self.metrics = metrics
        self.intake = intake
        self.handshakeTimeout = handshakeTimeout
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
        guard intake.phase == .open else {
            RefusalMetrics.record(.messageBytes)
            return refuse(context, preamble.method, preamble.requestID, .unauthenticated, "the first message on a data-plane connection must be the handshake")
        }
        var request = message.body.bytes
        if serveAtOnce(context, method, preamble, &request) { return }
        serveInTask(context, method, preamble, &request)
    }

    /// Serves a request on a task (it may wait: a long-polling pull, a paused job, admission), counted
    /// in flight until its answer is handed to the channel, cancelled if the connection closes first.
    private func serveInTask(_ context: ChannelHandlerContext, _ method: DataPlaneMethod, _ preamble: NativePreamble, _ request: inout [UInt8]) {
        let channel = context.channel
        let handler = self.handler
        let logger = self.logger
        let metrics = self.metrics
        let sendBuffers = self.sendBuffers
        let arrays = self.arrays
        let box = NativeRequestBox(request)
        request = []
        let id = nextTask
        nextTask &+= 1
        let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
        intake.started()
        tasks[id] = Task {
            var request = box.take()
            let answer: ByteBuffer
            let write = NativeAnswers.writer(preamble, channel, sendBuffers)
            do {
                if let metrics {
                    answer = try await metrics.record(method, requestBytes: request.count, bytes: NativeAnswers.frameBytes, verdict: NativeAnswers.verdict) {
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
            channel.eventLoop.execute { connection.value.taskAnswered(id, answer) }
        }
    }

    /// Writes a task's answer (unless the connection closed meanwhile) and lets the decoder take the next request.
    private func taskAnswered(_ id: UInt64, _ answer: ByteBuffer) {
        let sendBuffers = self.sendBuffers
        guard tasks.removeValue(forKey: id) != nil, let context, !closing else {
            sendBuffers.recycle(answer)
            return
        }
        context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in sendBuffers.recycle(answer) }
        intake.finished()
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
                served = try metrics.recordAtOnce(method, requestBytes: request.count, bytes: NativeAnswers.frameBytes, verdict: NativeAnswers.verdict) {
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
        if let token, !BearerToken.constantTimeEquals(token, message.body.bytes) {
            RefusalMetrics.record(.authentication)
            return refuse(context, .hello, message.preamble.requestID, .unauthenticated, "the data-plane handshake carried a missing or wrong bearer token")
        }
        handshakeDeadline?.cancel()
        handshakeDeadline = nil
        let ok = NativePreamble(method: .hello, isResponse: true, status: 0, requestID: message.preamble.requestID, length: 0)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.nativeMessage(ok, body: UnsafeRawBufferPointer(start: nil, count: 0))), promise: nil)
        intake.authenticated()
    }
}
