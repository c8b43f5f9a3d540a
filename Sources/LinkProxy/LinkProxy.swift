import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy for fault tests: listens on a local port and forwards every connection to an
/// upstream address, adding delay, stalling, or dropping connections as its `faults` say. Tests put
/// it in front of a shard's data plane (or any daemon port); `tessera-linkproxy` wraps it for scripts.
public final class LinkProxy: Sendable {
    /// Where connections are forwarded.
    public let upstreamHost: String
    /// Upstream port.
    public let upstreamPort: Int
    private let group: any EventLoopGroup
    private let state = Mutex<State>(State())

    struct State {
        var faults = LinkFaults.none
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var accepted = 0
    }

    /// Prepares a proxy to `upstreamHost:upstreamPort`; nothing listens until `start`.
    public init(upstreamHost: String, upstreamPort: Int, faults: LinkFaults = .none, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.upstreamHost = upstreamHost == "localhost" ? "127.0.0.1" : upstreamHost
        self.upstreamPort = upstreamPort
        self.group = group
        state.withLock { $0.faults = faults }
    }

    /// The faults now applied.
    public var faults: LinkFaults {
        get { state.withLock { $0.faults } }
        set {
            let doomed = state.withLock { s -> [any Channel] in
                s.faults = newValue
                return newValue.drop ? Array(s.connections.values) : []
            }
            for channel in doomed { channel.close(promise: nil) }
        }
    }

    /// Connections accepted so far.
    public var acceptedConnections: Int { state.withLock { $0.accepted } }

    /// Starts listening on `host:port` (port 0: any free port); returns the bound port.
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] inbound in
                self.accept(inbound)
            }
        let listener = try await bootstrap.bind(host: host, port: port).get()
        state.withLock { $0.listener = listener }
        return listener.localAddress?.port ?? port
    }

    /// Closes the listener and every connection.
    public func stop() {
        let (listener, open) = state.withLock { s in
            defer {
                s.listener = nil
                s.connections = [:]
            }
            return (s.listener, Array(s.connections.values))
        }
        listener?.close(promise: nil)
        for channel in open { channel.close(promise: nil) }
    }

    private func accept(_ inbound: any Channel) -> EventLoopFuture<Void> {
        let dropNow = state.withLock { s -> Bool in
            s.accepted += 1
            return s.faults.drop
        }
        if dropNow { return inbound.close() }
        let inboundSide = ProxyHalf(proxy: self)
        return inbound.pipeline.addHandler(inboundSide).flatMap { [self] in
            register(inbound)
            return ClientBootstrap(group: inbound.eventLoop)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { outbound in
                    let outboundSide = ProxyHalf(proxy: self)
                    outboundSide.partner = inbound
                    return outbound.pipeline.addHandler(outboundSide)
                }
                .connect(host: upstreamHost, port: upstreamPort)
                .map { outbound in
                    self.register(outbound)
                    inboundSide.connected(to: outbound)
                }
                .flatMapError { _ in inbound.close() }
        }
    }

    func register(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLock { $0.connections[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = self.state.withLock { $0.connections.removeValue(forKey: id) }
        }
    }

    func currentFaults() -> LinkFaults { state.withLock { $0.faults } }
}

/// One direction of a proxied connection: reads here are forwarded (delayed, held or dropped) to
/// the partner, in order. Both halves of a connection live on the same event loop.
final class ProxyHalf: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private let proxy: LinkProxy
    /// The other side's channel; nil until the upstream connection is up (reads wait in `pending`).
    var partner: (any Channel)?
    private var pending: [ByteBuffer] = []
    private var context: ChannelHandlerContext?
    private var retryScheduled = false
    private var peerClosed = false
    private var lastDeadline = NIODeadline.uptimeNanoseconds(0)

    init(proxy: LinkProxy) { self.proxy = proxy }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    /// Called on this side's event loop once the upstream connection exists.
    func connected(to partner: any Channel) {
        self.partner = partner
        drain()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(unwrapInboundIn(data))
        drain()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The close travels like data: after the bytes read before it (delayed, or held while stalled).
        peerClosed = true
        drain()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Forwards what is pending unless the link is stalled (then looks again shortly) or dropped.
    private func drain() {
        guard let partner, let context, !pending.isEmpty || peerClosed else { return }
        let faults = proxy.currentFaults()
        if faults.drop {
            pending = []
            context.close(promise: nil)
            partner.close(promise: nil)
            return
        }
        if faults.stall {
            guard !retryScheduled else { return }
            retryScheduled = true
            context.eventLoop.scheduleTask(in: .milliseconds(20)) { [self] in
                self.retryScheduled = false
                self.drain()
            }
            return
        }
        let out = pending
        let close = peerClosed
        pending = []
        peerClosed = false
        let send = {
            for buffer in out { partner.write(buffer, promise: nil) }
            partner.flush()
            if close { partner.close(promise: nil) }
        }
        if faults.delay > .zero {
            let (seconds, attoseconds) = faults.delay.components
            let at = max(NIODeadline.now() + .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000), lastDeadline)
            lastDeadline = at
            context.eventLoop.scheduleTask(deadline: at, send)
        } else if lastDeadline > NIODeadline.now() {
            context.eventLoop.scheduleTask(deadline: lastDeadline, send)  // keep order behind earlier delayed bytes
        } else {
            send()
        }
    }
}
