import NIOCore
import Synchronization

/// First handler of every /metrics connection: closes connections over the endpoint's cap at once and
/// any connection with nothing read or written for the idle timeout (the endpoint needs no token, so
/// anyone can open them).
final class MetricsConnectionGuard: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    /// The open connections of one endpoint and their cap.
    final class Count: Sendable {
        let limit: Int
        private let open = Mutex(0)

        init(limit: Int) { self.limit = limit }

        /// Counts a connection; false (not counted) when the endpoint is full.
        func admit() -> Bool {
            open.withLock { count in
                guard count < limit else { return false }
                count += 1
                return true
            }
        }

        /// Uncounts an admitted connection.
        func release() { open.withLock { $0 -= 1 } }
    }

    private let count: Count
    private var admitted = false

    init(count: Count) { self.count = count }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        guard count.admit() else {
            RefusalMetrics.record(.connections)
            context.close(promise: nil)
            return
        }
        admitted = true
    }

    func channelInactive(context: ChannelHandlerContext) {
        if admitted {
            admitted = false
            count.release()
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all else {
            return context.fireUserInboundEventTriggered(event)
        }
        RefusalMetrics.record(.idleTimeout)
        context.close(promise: nil)
    }
}
