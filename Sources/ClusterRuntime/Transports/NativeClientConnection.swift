import NIOCore
import Synchronization

/// One open native data-plane connection on the client side: its channel and the calls waiting
/// for answers, keyed by request id (several may be in flight).
final class NativeClientConnection: Sendable {
    private struct Call {
        var continuation: CheckedContinuation<ByteBuffer, any Error>
        var deadline: Scheduled<Void>?
    }

    private struct State {
        var calls: [UInt64: Call] = [:]
        /// Set once the connection is unusable; later calls fail with it at once.
        var failure: RuntimeFailure?
        var nextID: UInt64 = 1
    }

    let channel: any Channel
    let peer: HostPort
    private let state = Mutex(State())
    private let sendBuffers = NativeSendBuffers()

    /// Runs tasks on the connection's event loop, where its answers arrive.
    let taskExecutor: EventLoopTaskExecutor

    init(channel: any Channel, peer: HostPort) {
        self.channel = channel
        self.peer = peer
        taskExecutor = EventLoopTaskExecutor.of(channel.eventLoop)
    }

    /// Whether the connection can still carry calls.
    var isUsable: Bool { channel.isActive && state.withLock { $0.failure == nil } }

    /// Sends one request and waits for its answer or the deadline.
    func call(_ method: NativeMethod, request: [UInt8], timeout: Duration) async throws -> [UInt8] {
        let answer = try await call(method, requestBytes: request.count, timeout: timeout) { out in
            request.withUnsafeBytes { out.copyMemory(from: $0) }
            return request.count
        }
        return Array(answer.readableBytesView)
    }

    /// Sends one request whose body `encode` writes straight into the outgoing buffer (returning the
    /// bytes written, at most `requestBytes`) and waits for the answer body or the deadline.
    func call(
        _ method: NativeMethod, requestBytes: Int, timeout: Duration, encode: (UnsafeMutableRawBufferPointer) throws -> Int
    ) async throws -> ByteBuffer {
        let id = state.withLock { state -> UInt64 in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        let header = NativePreamble(method: method, isResponse: false, status: 0, requestID: id, length: 0)
        let buffer = try sendBuffers.message(header, bodyBytes: requestBytes, allocator: channel.allocator, encode: encode)
        let sendBuffers = self.sendBuffers
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let failure = state.withLock { state -> RuntimeFailure? in
                    if let failure = state.failure { return failure }
                    state.calls[id] = Call(continuation: continuation, deadline: nil)
                    return nil
                }
                if let failure { return continuation.resume(throwing: failure) }
                let peer = self.peer
                let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(min(timeout.nanoseconds, Int64.max / 2)))) {
                    self.finish(id, .failure(RuntimeFailure(.deadlineExceeded, "\(peer) did not answer in time (deadline \(timeout))")))
                }
                let armed = state.withLock { state -> Bool in
                    guard state.calls[id] != nil else { return false }
                    state.calls[id]?.deadline = deadline
                    return true
                }
                if !armed { deadline.cancel() }
                channel.writeAndFlush(buffer).whenComplete { result in
                    if case .failure(let error) = result {
                        self.finish(id, .failure(RuntimeFailure(.unavailable, "could not send to \(peer): \(error)")))
                    }
                    sendBuffers.recycle(buffer)
                }
            }
        } onCancel: {
            self.finish(id, .failure(RuntimeFailure(.cancelled, "the call to \(self.peer) was cancelled")))
        }
    }

    /// Completes a call (answer, deadline, send failure or cancellation: whichever comes first).
    func finish(_ id: UInt64, _ result: Result<ByteBuffer, RuntimeFailure>) {
        let call = state.withLock { $0.calls.removeValue(forKey: id) }
        guard let call else { return }
        call.deadline?.cancel()
        switch result {
        case .success(let bytes): call.continuation.resume(returning: bytes)
        case .failure(let failure): call.continuation.resume(throwing: failure)
        }
    }

    /// Handles an answer read from the connection.
    func received(_ message: NativeMessage) {
        let preamble = message.preamble
        if preamble.status == 0 {
            if preamble.method != .hello { finish(preamble.requestID, .success(message.body.buffer)) }
            return
        }
        let text = String(decoding: message.body.bytes, as: UTF8.self)
        let failure = RuntimeFailure(RuntimeFailure.Code(statusNumber: preamble.status), "\(peer): \(text)")
        if preamble.method == .hello || preamble.requestID == 0 {
            failAll(failure)
        } else {
            finish(preamble.requestID, .failure(failure))
        }
    }

    /// Fails every waiting call and every later one (connection closed, handshake refused).
    func failAll(_ failure: RuntimeFailure) {
        let calls = state.withLock { state -> [Call] in
            if state.failure == nil { state.failure = failure }
            defer { state.calls.removeAll() }
            return Array(state.calls.values)
        }
        for call in calls {
            call.deadline?.cancel()
            call.continuation.resume(throwing: failure)
        }
    }
}

/// Routes answers read from the channel to the connection's waiting calls.
final class NativeClientHandler: ChannelInboundHandler {
    typealias InboundIn = NativeMessage

    private let connection: NativeClientConnection

    init(connection: NativeClientConnection) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.received(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.failAll(RuntimeFailure(.unavailable, "the data-plane connection to \(connection.peer) closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let framing = error as? NativeFramingError {
            connection.failAll(RuntimeFailure(.internalError, "\(connection.peer) sent a malformed answer: \(framing.message)"))
        } else {
            // Socket errors (reset, broken pipe, TLS failures): the peer is unreachable, the call may be retried.
            connection.failAll(RuntimeFailure(.unavailable, "the data-plane connection to \(connection.peer) failed: \(error)"))
        }
        context.close(promise: nil)
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : product.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
