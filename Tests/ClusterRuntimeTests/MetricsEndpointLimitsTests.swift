import ClusterRuntime
import Foundation
import Logging
import Testing

/// The unauthenticated /metrics endpoint holds few connections and no idle ones.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct MetricsEndpointLimitsTests {
    /// An endpoint on a free port under `limits`, once listening.
    static func start(_ limits: ServerLimits) async throws -> (MetricsEndpoint, Task<Void, any Error>, HostPort) {
        let endpoint = MetricsEndpoint(
            address: HostPort(host: "127.0.0.1", port: 0), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, limits: limits)
        let task = Task { try await endpoint.run() }
        guard await waitUntil({ endpoint.boundAddress != nil }), let address = endpoint.boundAddress else {
            throw RuntimeFailure(.unavailable, "the metrics endpoint did not start")
        }
        return (endpoint, task, address)
    }

    /// One `GET /metrics` over a raw socket; the status line.
    static func scrape(_ socket: RawTCP) -> String {
        socket.send(Array("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        let text = String(decoding: socket.readUntilClosed().bytes, as: UTF8.self)
        return text.components(separatedBy: "\r\n").first ?? ""
    }

    @Test("connections over max_connections are closed at once; idle ones after idle_timeout; scrapes still answer")
    func capAndIdle() async throws {
        let (_, task, address) = try await Self.start(ServerLimits(maxConnections: 2, idleTimeout: .seconds(1)))
        defer { task.cancel() }
        let held = try (0..<2).map { _ in try RawTCP(address) }
        let over = try RawTCP(address)
        let refused = over.readUntilClosed(wait: .seconds(5))
        #expect(refused.closed && refused.bytes.isEmpty, "the connection over the cap was served")
        // The held connections are idle: closed after the idle timeout, freeing their slots.
        for socket in held { #expect(socket.readUntilClosed(wait: .seconds(30)).closed) }
        // A slot is released on the server's event loop just after the close the client saw (a connection made in
        // between is still over the cap): scrape until one answers, within 2 s.
        var status = ""
        for _ in 0..<100 {
            status = Self.scrape(try RawTCP(address))
            if status == "HTTP/1.1 200 OK" { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(status == "HTTP/1.1 200 OK", "\(status)")
    }
}
