import ClusterAPI
import ClusterRuntime
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Testing

/// The standard grpc.health.v1 service: any gRPC health probe works, with no token.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct HealthTests {
    @Test func checkAndWatchAnswerServingWithoutToken() async throws {
        let (daemon, address) = try await startSecuredDaemon(token: "s3cret")
        let connection = try ManagedClient(address: address)
        let health = Grpc_Health_V1_Health.Client(wrapping: connection.client)
        let whole = try await health.check(.with { $0.service = "" })
        #expect(whole.status == .serving)
        let dataPlane = try await health.check(.with { $0.service = "tessera.v1.DataPlane" })
        #expect(dataPlane.status == .serving)
        await #expect {
            _ = try await health.check(.with { $0.service = "no.such.Service" })
        } throws: { error in
            (error as? RPCError)?.code == .notFound
        }
        let first = try await health.watch(request: ClientRequest(message: .with { $0.service = "" })) { response in
            for try await message in response.messages { return message.status }
            return Grpc_Health_V1_HealthCheckResponse.ServingStatus.unknown
        }
        #expect(first == .serving)
        daemon.health.setServing(false)
        #expect(try await health.check(.with { $0.service = "" }).status == .notServing)
        connection.close()
        await daemon.stop()
    }
}
