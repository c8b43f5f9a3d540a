import NIOCore

/// Splits the byte stream of a native data-plane connection into `NativeMessage`s.
///
/// The body of each message is copied once, straight from the socket reads into one contiguous
/// buffer sized from the preamble's length (validated against the limit before allocating): no
/// cumulation buffer, no concatenation of small buffers. On the client, large bodies land in NIO
/// buffers recycled from earlier messages once their readers let them go; on the server, in arrays
/// (what `DataPlaneHandler` takes, so no second copy). A bad preamble is raised once as a
/// `NativeFramingError` through `errorCaught`; everything after it is discarded.
final class NativeMessageDecoder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = NativeMessage

    private let maxMessageBytes: UInt64
    private let maxHelloBytes: UInt64
    /// Preamble bytes received so far when a preamble straddles two reads.
    private var partialPreamble: [UInt8] = []
    /// The message whose body is being read.
    private var preamble: NativePreamble?
    /// Where the server's request arrays come from (nil: the client's recycled NIO buffers).
    private let arrays: NativeArrayPool?
    private var body = ByteBuffer()
    private var array: [UInt8] = []
    private var remaining = 0
    private var recycled = NativeBufferRing()
    private var failed = false

    /// A decoder assembling bodies into recycled NIO buffers, or into arrays from `arrays` when given.
    init(limits: NativeTransportLimits, arrays: NativeArrayPool? = nil) {
        self.arrays = arrays
        maxMessageBytes = limits.maxMessageBytes
        maxHelloBytes = limits.maxHelloBytes
        partialPreamble.reserveCapacity(NativePreamble.size)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        while buffer.readableBytes > 0, !failed {
            if preamble != nil {
                readBody(from: &buffer, context: context)
            } else {
                readPreamble(from: &buffer, context: context)
            }
        }
    }

    private func readPreamble(from buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        let parsed: NativePreamble
        do {
            if partialPreamble.isEmpty, buffer.readableBytes >= NativePreamble.size {
                parsed = try buffer.withUnsafeReadableBytes { raw throws(NativeFramingError) in
                    try NativePreamble.parse(raw, maxLength: maxMessageBytes)
                }
                buffer.moveReaderIndex(forwardBy: NativePreamble.size)
            } else {
                let take = min(NativePreamble.size - partialPreamble.count, buffer.readableBytes)
                partialPreamble.append(contentsOf: buffer.readBytes(length: take)!)
                guard partialPreamble.count == NativePreamble.size else { return }
                parsed = try partialPreamble.withUnsafeBytes { raw throws(NativeFramingError) in
                    try NativePreamble.parse(raw, maxLength: maxMessageBytes)
                }
                partialPreamble.removeAll(keepingCapacity: true)
            }
            if parsed.method == .hello, parsed.length > maxHelloBytes {
                throw NativeFramingError(.resourceExhausted, requestID: parsed.requestID, "handshake of \(parsed.length) bytes exceeds \(maxHelloBytes) bytes")
            }
        } catch {
            failed = true
            context.fireErrorCaught(error)
            return
        }
        let length = Int(parsed.length)
        if length == 0 {
            context.fireChannelRead(wrapInboundOut(NativeMessage(preamble: parsed, body: arrays != nil ? .array([]) : .buffer(ByteBuffer()))))
            return
        }
        preamble = parsed
        if let arrays {
            array = arrays.take(count: length)
        } else {
            body = recycled.take(length, allocator: context.channel.allocator)
        }
        remaining = length
    }

    private func readBody(from buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        let take = min(remaining, buffer.readableBytes)
        if arrays != nil {
            let offset = array.count - remaining
            array.withUnsafeMutableBytes { destination in
                buffer.withUnsafeReadableBytes { source in
                    (destination.baseAddress! + offset).copyMemory(from: source.baseAddress!, byteCount: take)
                }
            }
            buffer.moveReaderIndex(forwardBy: take)
        } else {
            var slice = buffer.readSlice(length: take)!
            body.writeBuffer(&slice)
        }
        remaining -= take
        guard remaining == 0, let done = preamble else { return }
        let message: NativeMessage
        if arrays != nil {
            message = NativeMessage(preamble: done, body: .array(array))
            array = []
        } else {
            message = NativeMessage(preamble: done, body: .buffer(body))
            recycled.keep(body)
            body = ByteBuffer()
        }
        preamble = nil
        context.fireChannelRead(wrapInboundOut(message))
    }
}

extension ByteBufferAllocator {
    /// One buffer holding a preamble followed by `body`, ready for a single `writeAndFlush` (small messages).
    func nativeMessage(_ preamble: NativePreamble, body: UnsafeRawBufferPointer) -> ByteBuffer {
        var buffer = self.buffer(capacity: NativePreamble.size + body.count)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: NativePreamble.size + body.count) { out in
            preamble.write(to: out.baseAddress!)
            if body.count > 0 {
                (out.baseAddress! + NativePreamble.size).copyMemory(from: body.baseAddress!, byteCount: body.count)
            }
            return NativePreamble.size + body.count
        }
        return buffer
    }

    /// An answer carrying an error status and its sentence.
    func nativeFailure(_ method: NativeMethod, requestID: UInt64, code: RuntimeFailure.Code, message: String) -> ByteBuffer {
        let text = Array(message.utf8)
        let preamble = NativePreamble(method: method, isResponse: true, status: code.statusNumber, requestID: requestID, length: UInt64(text.count))
        return text.withUnsafeBytes { nativeMessage(preamble, body: $0) }
    }
}
