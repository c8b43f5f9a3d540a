import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A tiny HTTP/1.1 server answering `GET /metrics` with the Prometheus text format of
/// `TesseraMetrics.registry` (anything else: 404). Runs as a lifecycle `Service`. It needs no token,
/// so it holds at most `limits.maxConnections` connections (more are closed at once), closes one idle
/// for `limits.idleTimeout`, and serves one request per connection at a time (pipelined ones wait).
public final class MetricsEndpoint: Service, Sendable {
    /// The address asked for.
    public let address: HostPort
    private let logger: Logger
    private let refresh: @Sendable () async -> Void
    private let limits: ServerLimits
    private let bound = LockedValue<HostPort?>(nil)
    private let channel = LockedValue<(any Channel)?>(nil)

    /// Creates the endpoint; `refresh` runs before each scrape to update gauges read from state.
    public init(address: HostPort, logger: Logger, refresh: @escaping @Sendable () async -> Void = {}, limits: ServerLimits = .default) {
        self.address = address
        self.logger = logger
        self.refresh = refresh
        self.limits = limits
    }

    /// The bound address once listening (resolves port 0).
    public var boundAddress: HostPort? { bound.value }

    /// Binds and serves until graceful shutdown.
    public func run() async throws {
        let refresh = self.refresh
        let (server, boundAddress) = try await HTTPListener.bind(address, for: "metrics", limits: limits) { MetricsHTTPHandler(refresh: refresh) }
        channel.value = server
        bound.value = boundAddress
        logger.info("metrics endpoint listening", metadata: ["address": "http://\(bound.value ?? address)/metrics"])
        try? await gracefulShutdown()
        try? await server.close()
    }
}

/// Answers one HTTP request at a time on a connection.
private final class MetricsHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let refresh: @Sendable () async -> Void
    private var head: HTTPRequestHead?

    init(refresh: @escaping @Sendable () async -> Void) { self.refresh = refresh }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request): head = request
        case .body: break
        case .end:
            guard let request = head else { return }
            head = nil
            let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
            let keepAlive = request.isKeepAlive
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            guard request.method == .GET, path == "/metrics" else {
                respond(context: context, status: .notFound, type: "text/plain", body: Array("not found: try /metrics\n".utf8), keepAlive: keepAlive)
                return
            }
            let refresh = self.refresh
            let promise = context.eventLoop.makePromise(of: [UInt8].self)
            promise.completeWithTask {
                await refresh()
                return TesseraMetrics.registry.emitToBuffer()
            }
            promise.futureResult.whenSuccess { body in
                let (handler, context) = loopBound.value
                handler.respond(
                    context: context, status: .ok, type: "text/plain; version=0.0.4; charset=utf-8", body: body, keepAlive: keepAlive)
            }
        }
    }

    /// A request NIO cannot parse (garbage, a header over its 80 KiB limit) was already answered 400 by the
    /// protocol error handler; the connection is closed rather than left to the idle timeout.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        RefusalMetrics.record(.malformed)
        context.close(promise: nil)
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, type: String, body: [UInt8], keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: String(body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
    }
}
