import NIOCore
import NIOPosix
import NIOSSL

/// The native data-plane transport, client side: TensorWire frames over one dedicated TCP
/// connection to a shard, opened on first use (handshake with the bearer token pipelined in front
/// of the first request) and reopened after it drops. Calls run concurrently, matched by request id.
/// With `tls`, the connection runs over TLS (the psd's certificate checked against the CA; this
/// node's certificate presented for mutual TLS).
public final class NativeDataPlaneChannel: DataPlaneChannel {
    private enum State {
        case idle
        case connecting(EventLoopFuture<NativeClientConnection>)
        case connected(NativeClientConnection)
        case closed
    }

    /// The shard's native data-plane address.
    public let address: HostPort
    private let token: String?
    private let tls: TLSFiles?
    private let limits: NativeTransportLimits
    private let group: any EventLoopGroup
    private let state = LockedValue<State>(.idle)

    /// Prepares a channel to a shard's native data-plane address; connects on the first call.
    public init(
        address: HostPort, token: String? = nil, tls: TLSFiles? = nil, limits: NativeTransportLimits = .default,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.address = address
        self.token = token
        self.tls = tls
        self.limits = limits
        self.group = group
    }

    /// Sends one frame and waits for the answer; shard errors arrive as `RuntimeFailure` with the shard's code.
    public func exchange(_ method: DataPlaneMethod, request: [UInt8], timeout: Duration) async throws -> [UInt8] {
        let connection = try await connection()
        return try await connection.call(NativeMethod(method), request: request, timeout: timeout)
    }

    /// Encodes the request straight into the outgoing buffer and decodes the answer where it was received.
    public func exchange<Result>(
        _ method: DataPlaneMethod, requestBytes: Int, encode: (UnsafeMutableRawBufferPointer) throws -> Int,
        timeout: Duration, decode: (UnsafeRawBufferPointer) throws -> Result
    ) async throws -> Result {
        let connection = try await connection()
        let answer = try await connection.call(NativeMethod(method), requestBytes: requestBytes, timeout: timeout, encode: encode)
        return try answer.withUnsafeReadableBytes(decode)
    }

    /// Closes the connection; later calls fail with UNAVAILABLE.
    public func close() {
        let previous = state.withLock { state -> State in
            defer { state = .closed }
            return state
        }
        switch previous {
        case .connected(let connection): connection.channel.close(promise: nil)
        case .connecting(let future): future.whenSuccess { $0.channel.close(promise: nil) }
        case .idle, .closed: break
        }
    }

    /// The connection's event loop, once connected: its answers resume calls there.
    public var preferredTaskExecutor: (any TaskExecutor)? {
        state.withLock { state in
            guard case .connected(let connection) = state, connection.isUsable else { return nil }
            return connection.taskExecutor
        }
    }

    private func connection() async throws -> NativeClientConnection {
        // Connected (every call but the first): no future to await, whose completion would hop to an event loop and back.
        if let connection = state.withLock({ state -> NativeClientConnection? in
            guard case .connected(let connection) = state, connection.isUsable else { return nil }
            return connection
        }) {
            return connection
        }
        let future = try state.withLock { state throws(RuntimeFailure) -> EventLoopFuture<NativeClientConnection> in
            switch state {
            case .connected(let connection) where connection.isUsable:
                return group.any().makeSucceededFuture(connection)
            case .connecting(let future):
                return future
            case .closed:
                throw RuntimeFailure(.unavailable, "the data-plane channel to \(address) is closed")
            case .idle, .connected:
                let future = connect()
                state = .connecting(future)
                return future
            }
        }
        do {
            let connection = try await future.get()
            state.withLock { state in
                if case .connecting = state { state = .connected(connection) }
            }
            return connection
        } catch {
            state.withLock { state in
                if case .connecting = state { state = .idle }
            }
            if let failure = error as? RuntimeFailure { throw failure }
            throw RuntimeFailure(.unavailable, "could not reach the data plane at \(address): is psd running there? (\(error))")
        }
    }

    private func connect() -> EventLoopFuture<NativeClientConnection> {
        let limits = self.limits
        let peer = address
        let hello = Array((token ?? "").utf8)
        let box = LockedValue<NativeClientConnection?>(nil)
        let host = address.host == "localhost" ? "127.0.0.1" : address.host
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = try tls.map(NativeTLS.clientContext)
        } catch {
            return group.any().makeFailedFuture(RuntimeFailure(.unavailable, "cannot use the TLS files for the data plane at \(address): \(error)"))
        }
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(limits.socketBufferBytes))
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(limits.socketBufferBytes))
            .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64 << 10, initial: 1 << 20, maximum: limits.maxReadBytes))
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelInitializer { channel in
                let connection = NativeClientConnection(channel: channel, peer: peer)
                box.value = connection
                return channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: NativeTLS.serverHostname(peer.host))
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(NativeMessageDecoder(limits: limits))
                    try channel.pipeline.syncOperations.addHandler(NativeClientHandler(connection: connection))
                }
            }
        return bootstrap.connect(host: host, port: address.port).flatMap { channel in
            let preamble = NativePreamble(method: .hello, isResponse: false, status: 0, requestID: 0, length: UInt64(hello.count))
            let buffer = hello.withUnsafeBytes { channel.allocator.nativeMessage(preamble, body: $0) }
            return channel.writeAndFlush(buffer).map { box.value! }
        }
    }
}
