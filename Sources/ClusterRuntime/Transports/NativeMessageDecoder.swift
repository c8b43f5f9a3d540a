import NIOCore

/// Splits the byte stream of a native data-plane connection into `NativeMessage`s.
///
/// The body of each message is copied at most once, straight from the socket reads into one contiguous
/// buffer sized from the preamble's length (validated against the limit before allocating): no
/// cumulation buffer, no concatenation of small buffers. On the client, a body that arrived whole in
/// one read and fills at least half of it is handed on as a slice of that read (no copy; NIO's pool
/// reuses the read buffer once the answer is decoded), and any other lands in NIO buffers recycled from earlier messages
/// once their readers let them go; on the server, bodies land in arrays (what `DataPlaneHandler`
/// takes, so no second copy). A bad preamble is raised once as a
/// `NativeFramingError` through `errorCaught`; everything after it is discarded.
///
/// On the server an `intake` decides between messages what may come next: before the handshake
/// only a hello of at most `maxHelloBytes` (anything else is refused before its body is
/// allocated); after a hello nothing until its token is checked; later, requests only while the
/// connection has room for them. While it says no, the rest of the current read is held and no
/// further reads are asked of the socket.
final class NativeMessageDecoder: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = NativeMessage
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let maxMessageBytes: UInt64
    private let maxHelloBytes: UInt64
    /// Preamble bytes received so far when a preamble straddles two reads.
    private var partialPreamble: [UInt8] = []
    /// The message whose body is being read.
    private var preamble: NativePreamble?
    /// Where the server's request arrays come from (nil: the client's recycled NIO buffers).
    private let arrays: NativeArrayPool?
    /// The server connection's admission of messages (nil on the client: everything is decoded).
    private let intake: NativeIntake?
    private var body = ByteBuffer()
    /// Whether `body` was taken for the current message (the client's body spread over several reads).
    private var bodyTaken = false
    private var array: [UInt8] = []
    private var remaining = 0
    private var recycled = NativeBufferRing()
    private var failed = false
    /// Input held while the intake says no (always at a message boundary).
    private var held: ByteBuffer?
    /// A read the pipeline asked for while the intake said no.
    private var readWanted = false
    private var decoding = false
    private var context: ChannelHandlerContext?

    /// A decoder assembling bodies into recycled NIO buffers, or into arrays from `arrays` when given;
    /// with `intake`, a server connection's decoder that takes in only what the intake allows.
    init(limits: NativeTransportLimits, arrays: NativeArrayPool? = nil, intake: NativeIntake? = nil) {
        self.arrays = arrays
        self.intake = intake
        maxMessageBytes = limits.maxMessageBytes
        maxHelloBytes = limits.maxHelloBytes
        partialPreamble.reserveCapacity(NativePreamble.size)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        intake?.onResume = { [weak self] in self?.resume() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        intake?.onResume = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var earlier = held {
            held = nil
            earlier.writeBuffer(&buffer)
            buffer = earlier
        }
        decode(&buffer, context: context)
        askWithheldRead(context)
    }

    func read(context: ChannelHandlerContext) {
        if isHolding {
            readWanted = true
        } else {
            context.read()
        }
    }

    /// Whether input must wait: something is held, or the intake takes nothing now (a refused connection reads on, discarding).
    private var isHolding: Bool {
        guard let intake, !failed, intake.phase != .refused else { return false }
        return held != nil || (preamble == nil && partialPreamble.isEmpty && !intake.mayDecode)
    }

    private func decode(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        decoding = true
        defer { decoding = false }
        while buffer.readableBytes > 0, !failed {
            if intake?.phase == .refused { return }
            if preamble != nil {
                readBody(from: &buffer, context: context)
            } else if partialPreamble.isEmpty, let intake, !intake.mayDecode {
                held = buffer
                return
            } else {
                readPreamble(from: &buffer, context: context)
            }
        }
    }

    /// Decodes what was held once the intake allows more, then asks for the read that was withheld.
    private func resume() {
        guard let context, !decoding else { return }
        if var buffer = held {
            held = nil
            decode(&buffer, context: context)
        }
        askWithheldRead(context)
    }

    private func askWithheldRead(_ context: ChannelHandlerContext) {
        if readWanted, !isHolding {
            readWanted = false
            context.read()
        }
    }

    private func readPreamble(from buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        let parsed: NativePreamble
        do {
            if partialPreamble.isEmpty, buffer.readableBytes >= NativePreamble.size {
                parsed = try buffer.withUnsafeReadableBytes { raw throws(NativeFramingError) in
                    try NativePreamble.parse(raw, maxLength: .max)
                }
                buffer.moveReaderIndex(forwardBy: NativePreamble.size)
            } else {
                let take = min(NativePreamble.size - partialPreamble.count, buffer.readableBytes)
                partialPreamble.append(contentsOf: buffer.readBytes(length: take)!)
                guard partialPreamble.count == NativePreamble.size else { return }
                parsed = try partialPreamble.withUnsafeBytes { raw throws(NativeFramingError) in
                    try NativePreamble.parse(raw, maxLength: .max)
                }
                partialPreamble.removeAll(keepingCapacity: true)
            }
            try admit(parsed)
        } catch {
            failed = true
            context.fireErrorCaught(error)
            return
        }
        guard let length = Int(exactly: parsed.length) else {
            failed = true
            context.fireErrorCaught(NativeFramingError(.resourceExhausted, requestID: parsed.requestID, "message of \(parsed.length) bytes is too large"))
            return
        }
        if length == 0 {
            context.fireChannelRead(wrapInboundOut(NativeMessage(preamble: parsed, body: arrays != nil ? .array([]) : .buffer(ByteBuffer()))))
            return
        }
        preamble = parsed
        if let arrays { array = arrays.take(count: length) }  // the client's buffer is taken once the body is seen
        bodyTaken = false
        remaining = length
    }

    /// Checks a parsed preamble against what this connection accepts now, before its body is allocated:
    /// on a server connection awaiting its handshake anything but a hello is refused first (UNAUTHENTICATED),
    /// then any length over its limit (RESOURCE_EXHAUSTED).
    private func admit(_ parsed: NativePreamble) throws(NativeFramingError) {
        if let intake, intake.phase == .awaitingHello, parsed.method != .hello || parsed.isResponse {
            throw NativeFramingError(
                .unauthenticated, requestID: parsed.requestID,
                "the first message on a data-plane connection must be the handshake (hello with the bearer token)")
        }
        if parsed.method == .hello, parsed.length > maxHelloBytes {
            throw NativeFramingError(.resourceExhausted, requestID: parsed.requestID, "handshake of \(parsed.length) bytes exceeds \(maxHelloBytes) bytes")
        }
        guard parsed.length <= maxMessageBytes else {
            throw NativeFramingError(
                .resourceExhausted, requestID: parsed.requestID, "message of \(parsed.length) bytes exceeds the limit of \(maxMessageBytes) bytes")
        }
        if let intake, parsed.method == .hello, !parsed.isResponse { intake.helloArrived() }
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
        } else if !bodyTaken, take == remaining, take >= buffer.capacity / 2 {
            // The whole body is in this read and most of it: a slice of it, no copy (a small answer is copied rather
            // than keep a large read buffer alive while its caller holds it).
            body = buffer.readSlice(length: take)!
        } else {
            if !bodyTaken {
                body = recycled.take(remaining, allocator: context.channel.allocator)
                bodyTaken = true
            }
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
            if bodyTaken { recycled.keep(body) }
            body = ByteBuffer()
            bodyTaken = false
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
