import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The native data-plane listener of a psd, run as a lifecycle `Service`: TensorWire frames over
/// TCP (one connection per worker–shard pair), served by the shard's `DataPlaneHandler`, over TLS
/// when the psd has TLS files (mutual TLS with a CA), each request recorded in the shard's
/// `ShardMetrics` like the gRPC data plane's.
public final class NativeDataPlaneServer: Service, Sendable {
    private enum State {
        case idle
        case listening(any Channel, HostPort)
        case failed(RuntimeFailure)
        case stopped
    }

    private let address: HostPort
    private let handler: DataPlaneHandler
    private let token: String?
    private let tls: TLSFiles?
    private let metrics: ShardMetrics?
    private let limits: NativeTransportLimits
    private let serverLimits: ServerLimits
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = LockedValue<State>(.idle)
    private let connections = LockedValue<[ObjectIdentifier: any Channel]>([:])

    /// Creates the server; nothing listens until `run()`. `serverLimits` gives the connection cap and idle timeout.
    public init(
        address: HostPort, handler: DataPlaneHandler, token: String? = nil, tls: TLSFiles? = nil, metrics: ShardMetrics? = nil,
        limits: NativeTransportLimits = .default, serverLimits: ServerLimits = .default, logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.address = address
        self.handler = handler
        self.token = token
        self.tls = tls
        self.metrics = metrics
        self.limits = limits
        self.serverLimits = serverLimits
        self.logger = logger
        self.group = group
    }

    /// The address actually bound (resolves port 0), waiting until the listener is up; nil once stopped before binding.
    public func boundAddress() async throws -> HostPort? {
        while true {
            switch state.value {
            case .listening(_, let bound): return bound
            case .failed(let failure): throw failure
            case .stopped: return nil
            case .idle: try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    /// Listens and serves until the service group shuts down, then closes every connection.
    public func run() async throws {
        let listener: any Channel
        do {
            let tlsContext = try tls.map(NativeTLS.serverContext)
            listener = try await bootstrap(tlsContext).bind(host: address.host == "localhost" ? "127.0.0.1" : address.host, port: address.port).get()
        } catch {
            let failure = RuntimeFailure(.unavailable, "cannot listen for the native data plane on \(address): \(error)")
            state.value = .failed(failure)
            throw failure
        }
        let bound = HostPort(host: listener.localAddress?.ipAddress ?? address.host, port: listener.localAddress?.port ?? address.port)
        state.value = .listening(listener, bound)
        logger.debug("native data plane listening", metadata: ["address": "\(bound)"])
        // Stops on graceful shutdown and on cancellation alike: when another service of the daemon fails (a port in
        // use), the group cancels this one, and waiting on the listener's close would otherwise never end.
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await listener.closeFuture.get()
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
        state.value = .stopped
    }

    /// Connections open now (refused ones over the cap not counted).
    public var openConnections: Int { connections.withLock { $0.count } }

    /// Stops listening and closes open connections (tests, embedding).
    public func stop() {
        if case .listening(let listener, _) = state.value { listener.close(promise: nil) }
        for channel in connections.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }

    private func bootstrap(_ tlsContext: NIOSSLContext?) -> ServerBootstrap {
        let settings = ConnectionSettings(
            handler: handler, token: token, metrics: metrics, limits: limits, serverLimits: serverLimits, logger: logger)
        let limits = self.limits
        let maxConnections = serverLimits.maxConnections
        let connections = self.connections
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(limits.socketBufferBytes))
            .childChannelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(limits.socketBufferBytes))
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64 << 10, initial: 1 << 20, maximum: limits.maxReadBytes))
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                let id = ObjectIdentifier(channel)
                let admitted = connections.withLock { open -> Bool in
                    guard open.count < maxConnections else { return false }
                    open[id] = channel
                    return true
                }
                if admitted {
                    channel.closeFuture.whenComplete { _ in connections.withLock { _ = $0.removeValue(forKey: id) } }
                }
                return channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                    }
                    if admitted {
                        try Self.configureConnection(channel, settings: settings)
                    } else {
                        try channel.pipeline.syncOperations.addHandler(NativeConnectionRefuser(limit: maxConnections))
                    }
                }
            }
    }
}
