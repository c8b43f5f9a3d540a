import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTP/1.1 listeners of the daemons (metrics, predictions): each connection gets the idle timeout and the
/// connection cap of `ServerLimits`, NIO's HTTP server pipeline, and a handler of its own.
enum HTTPListener {
    /// Binds `address` ("localhost" as 127.0.0.1); UNAVAILABLE "cannot listen for WHAT on ADDRESS: …" when it cannot.
    /// With `tls`, every connection speaks HTTPS first.
    static func bind(
        _ address: HostPort, for what: String, limits: ServerLimits, noDelay: Bool = false, tls: NIOSSLContext? = nil,
        handler: @escaping @Sendable () -> any ChannelHandler
    ) async throws -> (channel: any Channel, bound: HostPort?) {
        let count = MetricsConnectionGuard.Count(limit: limits.maxConnections)
        let idle = limits.idleTimeout
        let server: any Channel
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: noDelay ? 1 : 0)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let operations = channel.pipeline.syncOperations
                        if let tls { try operations.addHandler(NIOSSLServerHandler(context: tls)) }
                        if idle > .zero { try operations.addHandler(IdleStateHandler(allTimeout: TimeAmount(idle))) }
                        try operations.addHandler(MetricsConnectionGuard(count: count))
                        try operations.configureHTTPServerPipeline()
                        try operations.addHandler(handler())
                    }
                }
                .bind(host: address.host == "localhost" ? "127.0.0.1" : address.host, port: address.port)
                .get()
        } catch {
            throw RuntimeFailure(.unavailable, "cannot listen for \(what) on \(address): \(error)")
        }
        let bound = server.localAddress.flatMap { local in local.port.map { HostPort(host: local.ipAddress ?? address.host, port: $0) } }
        return (server, bound)
    }
}
