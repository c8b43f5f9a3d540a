import Logging
import NIOCore

/// What a native listener installs on each accepted connection.
extension NativeDataPlaneServer {
    /// Everything a connection's handlers need, fixed when the server is created.
    @_spi(Fuzzing) public struct ConnectionSettings: Sendable {
        /// The shard's data-plane handler.
        public var handler: DataPlaneHandler
        /// The bearer token the handshake must carry; nil accepts any.
        public var token: String?
        /// Where requests are recorded.
        public var metrics: ShardMetrics?
        /// Message sizes, requests in flight, handshake deadline.
        public var limits: NativeTransportLimits
        /// The psd's limits (idle timeout).
        public var serverLimits: ServerLimits
        /// Where refusals are logged (debug).
        public var logger: Logger

        /// Creates the settings.
        public init(
            handler: DataPlaneHandler, token: String?, metrics: ShardMetrics?, limits: NativeTransportLimits, serverLimits: ServerLimits, logger: Logger
        ) {
            self.handler = handler
            self.token = token
            self.metrics = metrics
            self.limits = limits
            self.serverLimits = serverLimits
            self.logger = logger
        }
    }

    /// Adds the data-plane handlers (idle timer, decoder, server handler) to an accepted connection's
    /// pipeline, after any TLS handler; call on the channel's event loop. The fuzz target drives
    /// exactly this pipeline on an embedded channel.
    @_spi(Fuzzing) public static func configureConnection(_ channel: any Channel, settings: ConnectionSettings) throws {
        let operations = channel.pipeline.syncOperations
        let intake = NativeIntake(maxInFlight: settings.limits.maxRequestsInFlight)
        let arrays = NativeArrayPool()
        let idle = settings.serverLimits.idleTimeout
        var handshakeTimeout = settings.limits.handshakeTimeout
        if idle > .zero {
            try operations.addHandler(IdleStateHandler(allTimeout: TimeAmount(idle)))
            // Before the handshake the deadline stands for the idle timeout too (it answers; an idle close does not).
            handshakeTimeout = min(handshakeTimeout, idle)
        }
        try operations.addHandler(NativeMessageDecoder(limits: settings.limits, arrays: arrays, intake: intake))
        try operations.addHandler(
            NativeServerHandler(
                handler: settings.handler, token: settings.token, metrics: settings.metrics, arrays: arrays, intake: intake,
                handshakeTimeout: handshakeTimeout, logger: settings.logger))
    }
}

/// Answers a connection over the listener's `max_connections` with RESOURCE_EXHAUSTED and closes it.
final class NativeConnectionRefuser: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let limit: Int
    private var answered = false

    init(limit: Int) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { answer(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        answer(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func answer(_ context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        RefusalMetrics.record(.connections)
        // The overload marker makes workers retry with backoff (ShardChannel), as for admission refusals.
        let message = "shard busy (\(DataPlaneAdmission.overloadMarker)): this data-plane listener has its limit of \(limit) connections (max_connections) open; retry later"
        let answer = context.channel.allocator.nativeFailure(.hello, requestID: 0, code: .resourceExhausted, message: message)
        context.channel.closeLingering(after: answer, linger: .milliseconds(500))
    }
}
