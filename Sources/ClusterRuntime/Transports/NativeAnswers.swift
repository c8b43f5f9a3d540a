import Logging
import NIOCore

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

    /// What a push answer says became of the gradient (accepted, stale or duplicate).
    static func verdict(_ answer: ByteBuffer) -> PushVerdict? {
        answer.withUnsafeReadableBytes { ShardMetrics.pushVerdict(UnsafeRawBufferPointer(rebasing: $0.dropFirst(NativePreamble.size))) }
    }
}
