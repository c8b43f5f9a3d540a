import ClusterAPI
import ClusterRuntime
import Foundation
import GRPCCore
import Logging
import Testing

/// A gRPC server in this process with only the health service, under `limits`.
private func startHealthServer(_ limits: ServerLimits) async throws -> (server: GRPCServerService, health: HealthService, address: HostPort) {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    let health = HealthService(services: ["tessera.v1.ParameterServer"], pollInterval: .milliseconds(20), maxWatchStreams: limits.maxWatchStreams)
    health.setServing(true)
    let server = GRPCServerService(address: HostPort(host: "127.0.0.1", port: 0), services: [health], logger: logger, limits: limits)
    Task { try? await server.run() }
    guard try await waitUntil(within: .seconds(20), { try await server.boundAddress() != nil }), let address = try await server.boundAddress() else {
        throw RuntimeFailure(.unavailable, "the gRPC server did not start")
    }
    return (server, health, address)
}

/// The control-plane / gRPC data-plane listener against floods: a connection cap, idle closes, and a
/// cap on the unauthenticated Health.Watch streams, which end when the server stops.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct GRPCListenerLimitsTests {
    @Test("max_connections: connections over the cap are closed at once; a freed slot serves again")
    func connectionCap() async throws {
        let (server, _, address) = try await startHealthServer(ServerLimits(maxConnections: 3))
        defer { server.stop() }
        let held = try (0..<3).map { _ in try RawTCP(address) }
        #expect(try await waitUntil { server.openConnections == 3 })
        let over = try RawTCP(address)
        #expect(over.readUntilClosed().closed, "the connection over the cap stayed open")
        #expect(server.openConnections == 3)
        held[0].close()
        #expect(try await waitUntil { server.openConnections == 2 })
        let probe = await HealthProbe.check(address, security: .none, timeout: .seconds(20))
        #expect(probe == .serving, "\(probe)")
        for socket in held { socket.close() }
    }

    @Test("idle_timeout: a connection that opens no stream, and one whose streams ended, are closed")
    func idleConnectionsAreClosed() async throws {
        let (server, _, address) = try await startHealthServer(ServerLimits(idleTimeout: .seconds(1)))
        defer { server.stop() }
        let silent = try RawTCP(address)
        #expect(silent.readUntilClosed(wait: .seconds(30)).closed)
        // Half an HTTP/2 preface, trickled: closed all the same.
        let slow = try RawTCP(address)
        slow.send(Array("PRI * HTTP/2.0\r\n".utf8))
        #expect(slow.readUntilClosed(wait: .seconds(30)).closed)
        // A real client's connection after its call: gRPC's idle GOAWAY, then closed.
        #expect(await HealthProbe.check(address, security: .none, timeout: .seconds(20)) == .serving)
        #expect(try await waitUntil(within: .seconds(30)) { server.openConnections == 0 })
    }

    @Test("max_watch_streams: the Watch over the cap gets RESOURCE_EXHAUSTED; stopping the server ends open watches")
    func watchStreamsAreCappedAndEndOnStop() async throws {
        let (server, health, address) = try await startHealthServer(ServerLimits(maxWatchStreams: 2))
        let connection = try ManagedClient(address: address)
        defer { connection.close() }
        let client = Grpc_Health_V1_Health.Client(wrapping: connection.client)
        let firstMessages = LockedValue(0)
        let watches = (0..<2).map { _ in
            Task {
                try await client.watch(request: ClientRequest(message: .with { $0.service = "" })) { response in
                    var statuses: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
                    for try await message in response.messages {
                        if statuses.isEmpty { firstMessages.withLock { $0 += 1 } }
                        statuses.append(message.status)
                    }
                    return statuses
                }
            }
        }
        #expect(try await waitUntil { firstMessages.value == 2 && health.openWatches == 2 })
        await #expect {
            _ = try await client.watch(request: ClientRequest(message: .with { $0.service = "" })) { response in
                for try await _ in response.messages {}
            }
        } throws: { error in
            (error as? RPCError)?.code == .resourceExhausted && (error as? RPCError)?.message.contains("max_watch_streams") == true
        }
        // Check is not capped.
        #expect(try await client.check(.with { $0.service = "" }).status == .serving)

        health.setServing(false)
        server.stop()
        for watch in watches {
            let statuses = try await watch.value
            #expect(statuses.first == .serving && statuses.last == .notServing, "\(statuses)")
        }
        #expect(health.openWatches == 0)
    }
}
