import NIOCore

/// The life of a native server connection: the handshake deadline, idle closes, refusals and the
/// cancellation of its tasks when it closes.
extension NativeServerHandler {
    /// How long a refused connection keeps reading (and discarding) after its answer, so the answer
    /// reaches a client still sending instead of being lost to a reset.
    static let lingerTime: TimeAmount = .seconds(2)

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { armHandshakeDeadline(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        armHandshakeDeadline(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeDeadline?.cancel()
        handshakeDeadline = nil
        closing = true
        intake.refuse()
        // Long-polling pulls and queued requests of a client that left: their answers have nowhere to go.
        let running = tasks
        tasks.removeAll()
        for task in running.values { task.cancel() }
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        intake.setWritable(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all else {
            return context.fireUserInboundEventTriggered(event)
        }
        // A connection waiting on its own requests (long-polling pulls) is not idle; before the
        // handshake the handshake deadline (no longer than the idle timeout) closes it, with an answer.
        guard tasks.isEmpty, !closing, intake.phase == .open else { return }
        RefusalMetrics.record(.idleTimeout)
        logger.debug("closing an idle data-plane connection")
        closing = true
        intake.refuse()
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let framing = error as? NativeFramingError {
            if framing.code == .resourceExhausted || framing.code == .unauthenticated { RefusalMetrics.record(.messageBytes) }
            refuse(context, .hello, framing.requestID, framing.code, framing.message)
        } else {
            logger.debug("data-plane connection error", metadata: ["error": "\(error)"])
            closing = true
            intake.refuse()
            context.close(promise: nil)
        }
    }

    /// Closes the connection unless it authenticates within `handshakeTimeout`.
    private func armHandshakeDeadline(_ context: ChannelHandlerContext) {
        guard handshakeDeadline == nil, intake.phase == .awaitingHello || intake.phase == .checkingHello else { return }
        let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timeout = handshakeTimeout
        handshakeDeadline = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            let handler = connection.value
            guard let context = handler.context, handler.intake.phase != .open else { return }
            RefusalMetrics.record(.authentication)
            handler.refuse(context, .hello, 0, .deadlineExceeded, "no data-plane handshake within \(timeout)")
        }
    }

    /// Answers with an error, then closes the connection: output first, once the answer is written,
    /// then the whole connection when the client closes its side or `lingerTime` has passed.
    func refuse(_ context: ChannelHandlerContext, _ method: NativeMethod, _ requestID: UInt64, _ code: RuntimeFailure.Code, _ message: String) {
        guard !closing else { return }
        closing = true
        intake.refuse()
        handshakeDeadline?.cancel()
        handshakeDeadline = nil
        logger.debug("refusing data-plane connection", metadata: ["code": "\(code.rawValue)", "reason": "\(message)"])
        let answer = context.channel.allocator.nativeFailure(method, requestID: requestID, code: code, message: message)
        context.channel.closeLingering(after: answer, linger: Self.lingerTime)
    }
}

extension Channel {
    /// Writes `answer`, then shuts the output and keeps reading (a refused connection's decoder
    /// discards) until the peer closes; closes for good `linger` after the call whatever happened
    /// (a TLS handshake that never completes, a peer that never closes).
    func closeLingering(after answer: ByteBuffer, linger: TimeAmount) {
        let channel = self
        eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
        writeAndFlush(answer).whenComplete { result in
            guard case .success = result else { return channel.close(promise: nil) }
            channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
        }
    }
}
