import GRPCCore
import GRPCNIOTransportCore
import GRPCNIOTransportHTTP2Posix

/// Message-size and flow-control settings shared by every Tessera gRPC server and client.
public enum GRPCLimits {
    /// Largest gRPC message accepted (data-plane frames are chunked below this).
    public static let maxMessageBytes = 1 << 30
    /// HTTP/2 flow-control window: the default 64 KiB caps pushes at ~0.07 GB/s.
    public static let windowBytes = 8 << 20
    /// HTTP/2 frame size.
    public static let frameBytes = 1 << 20
    /// Streams (RPCs) one connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); HTTP/2
    /// clients queue more until one ends.
    public static let maxConcurrentStreams = 100
    /// A new connection that opens no stream (RPC) within this (or the idle timeout if shorter) is closed.
    public static let firstStreamTimeout: Duration = .seconds(10)
    /// How long after gRPC's graceful idle close (GOAWAY) a connection still without streams is closed regardless.
    public static let goodbyeTime: Duration = .seconds(10)
    /// How long a connection may take to answer the server's keepalive ping or idle GOAWAY.
    public static let keepaliveTimeout: Duration = .seconds(20)
}

/// Builds the HTTP/2 server transport for an address, with Tessera's limits: message size, window,
/// streams per connection, and through `limiter` the connection cap and the closing of connections
/// without streams. Connections idle (no stream) for `limits.idleTimeout` get gRPC's graceful
/// GOAWAY; ones with streams but nothing read for that long are pinged and closed if silent. A request message over
/// `maxRequestBytes` is refused with RESOURCE_EXHAUSTED.
func makeServerTransport(
    _ address: HostPort, security: RPCSecurity = .none, limits: ServerLimits = .default, limiter: GRPCConnectionLimiter? = nil,
    maxRequestBytes: Int = GRPCLimits.maxMessageBytes
) -> HTTP2ServerTransport.Posix {
    let socket: GRPCNIOTransportCore.SocketAddress =
        address.host.contains(":")
        ? .ipv6(host: address.host, port: address.port)
        : .ipv4(host: resolveIPv4(address.host), port: address.port)
    let limiter = limiter ?? GRPCConnectionLimiter(maxConnections: limits.maxConnections, idleTimeout: limits.idleTimeout)
    return HTTP2ServerTransport.Posix(
        address: socket,
        transportSecurity: security.serverTransportSecurity,
        config: .defaults {
            $0.rpc.maxRequestPayloadSize = maxRequestBytes
            $0.http2.targetWindowSize = GRPCLimits.windowBytes
            $0.http2.maxFrameSize = GRPCLimits.frameBytes
            $0.http2.maxConcurrentStreams = GRPCLimits.maxConcurrentStreams
            if limits.idleTimeout > .zero {
                $0.connection.maxIdleTime = limits.idleTimeout
                $0.connection.keepalive.time = limits.idleTimeout
                $0.connection.keepalive.timeout = GRPCLimits.keepaliveTimeout
            }
            // The transport's only per-connection hooks (named for debugging): the guard is the connection cap.
            $0.channelDebuggingCallbacks.onAcceptTCPConnection = limiter.onAcceptConnection
            $0.channelDebuggingCallbacks.onAcceptHTTP2Stream = limiter.onAcceptStream
        }
    )
}

/// Maps "localhost" to its IPv4 literal; the Posix server binds literal addresses.
private func resolveIPv4(_ host: String) -> String {
    host == "localhost" ? "127.0.0.1" : host
}

/// Builds the HTTP/2 client transport to an address, with Tessera's limits.
func makeClientTransport(_ address: HostPort, security: RPCSecurity = .none) throws -> HTTP2ClientTransport.Posix {
    let limits = MethodConfig(
        names: [MethodConfig.Name(service: "")],
        maxRequestMessageBytes: GRPCLimits.maxMessageBytes,
        maxResponseMessageBytes: GRPCLimits.maxMessageBytes
    )
    let target: any ResolvableTarget
    if address.host.contains(":") {
        let v6: ResolvableTargets.IPv6 = .ipv6(address: address.host, port: address.port)
        target = v6
    } else if address.host.first?.isNumber == true {
        let v4: ResolvableTargets.IPv4 = .ipv4(address: address.host, port: address.port)
        target = v4
    } else {
        let dns: ResolvableTargets.DNS = .dns(host: address.host, port: address.port)
        target = dns
    }
    return try HTTP2ClientTransport.Posix(
        target: target,
        transportSecurity: security.clientTransportSecurity,
        config: .defaults {
            $0.http2.targetWindowSize = GRPCLimits.windowBytes
            $0.http2.maxFrameSize = GRPCLimits.frameBytes
            $0.backoff.initial = .milliseconds(100)
            $0.backoff.max = .seconds(2)
        },
        serviceConfig: ServiceConfig(methodConfig: [limits])
    )
}
