import NIOCore
import Synchronization

/// Counts a gRPC listener's open TCP connections against `max_connections`.
final class GRPCConnectionLimiter: Sendable {
    /// Most connections open at once.
    let maxConnections: Int
    /// A connection with no open stream is closed this long after its last stream ended: the
    /// listener's idle timeout plus a goodbye of at most 10 s (gRPC's own graceful idle close comes
    /// first; this one also ends peers that never answer it). Zero: never.
    let streamlessTimeout: Duration
    /// A new connection must open its first stream within this (10 s, or the idle timeout if shorter).
    let firstStreamTimeout: Duration
    private let open = Mutex(0)

    /// A limiter for `maxConnections` whose connections without streams are closed after about `idleTimeout`.
    init(maxConnections: Int, idleTimeout: Duration) {
        self.maxConnections = maxConnections
        let goodbye = min(GRPCLimits.goodbyeTime, idleTimeout)
        streamlessTimeout = idleTimeout > .zero ? idleTimeout + goodbye : .zero
        firstStreamTimeout = idleTimeout > .zero ? min(GRPCLimits.firstStreamTimeout, idleTimeout) : GRPCLimits.firstStreamTimeout
    }

    /// Connections counted now.
    var openConnections: Int { open.withLock { $0 } }

    /// Counts a new connection; false (not counted) when the listener is full.
    func admit() -> Bool {
        open.withLock { count in
            guard count < maxConnections else { return false }
            count += 1
            return true
        }
    }

    /// Uncounts a connection that was admitted.
    func release() { open.withLock { $0 -= 1 } }
}

/// First handler of every gRPC connection (before TLS): refuses connections over the listener's
/// cap, and closes connections that hold no stream — one that opens none within
/// `firstStreamTimeout`, or none for `streamlessTimeout` after its last one ended — whatever bytes
/// trickle in meanwhile (HTTP/2 pings, a slow preface).
final class GRPCConnectionGuard: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let limiter: GRPCConnectionLimiter
    private var admitted = false
    private var streams = 0
    private var deadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(limiter: GRPCConnectionLimiter) {
        self.limiter = limiter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        guard limiter.admit() else {
            RefusalMetrics.record(.connections)
            context.close(promise: nil)
            return
        }
        admitted = true
        arm(limiter.firstStreamTimeout)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if admitted {
            admitted = false
            limiter.release()
        }
        context.fireChannelInactive()
    }

    /// An HTTP/2 stream of this connection opened.
    func streamOpened() {
        streams += 1
        deadline?.cancel()
        deadline = nil
    }

    /// An HTTP/2 stream of this connection closed.
    func streamClosed() {
        streams -= 1
        if streams == 0, admitted { arm(limiter.streamlessTimeout) }
    }

    private func arm(_ after: Duration) {
        guard let context, after > .zero else { return }
        deadline?.cancel()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: TimeAmount(after)) {
            let handler = bound.value
            guard handler.streams == 0, let context = handler.context else { return }
            RefusalMetrics.record(.idleTimeout)
            context.close(promise: nil)
        }
    }
}

extension GRPCConnectionLimiter {
    /// The transport hook for accepted TCP connections: puts a `GRPCConnectionGuard` first in the pipeline.
    var onAcceptConnection: @Sendable (any Channel) -> EventLoopFuture<Void> {
        { [self] channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(GRPCConnectionGuard(limiter: self), position: .first)
            }
        }
    }

    /// The transport hook for accepted HTTP/2 streams: tells the connection's guard when each opens and closes.
    var onAcceptStream: @Sendable (any Channel) -> EventLoopFuture<Void> {
        { stream in
            stream.eventLoop.makeCompletedFuture {
                guard let connection = stream.parent,
                    let guardHandler = try? connection.pipeline.syncOperations.handler(type: GRPCConnectionGuard.self)
                else { return }
                guardHandler.streamOpened()
                let bound = NIOLoopBound(guardHandler, eventLoop: stream.eventLoop)
                stream.closeFuture.whenComplete { _ in bound.value.streamClosed() }
            }
        }
    }
}
