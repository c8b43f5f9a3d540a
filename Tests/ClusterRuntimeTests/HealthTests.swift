import ClusterAPI
import ClusterPresentation
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

    /// `clusterctl status`'s probe: serving, not serving while draining, unreachable naming the address.
    @Test func theStatusProbeReportsEachState() async throws {
        let (daemon, address) = try await startSecuredDaemon(token: "s3cret")
        #expect(await HealthProbe.check(address, security: .none, timeout: .seconds(20)) == .serving)
        daemon.health.setServing(false)
        #expect(await HealthProbe.check(address, security: .none, timeout: .seconds(20)) == .notServing("NOT_SERVING"))
        await daemon.stop()
        let nobody = HostPort(host: "127.0.0.1", port: 1)  // nothing listens on port 1
        let gone = await HealthProbe.check(nobody, security: .none, timeout: .seconds(1))
        guard case .unreachable(let why) = gone else {
            Issue.record("nothing listening answered \(gone)")
            return
        }
        #expect(why.contains("127.0.0.1:1"), "\(why)")

        var ps = Tessera_V1_Node()
        ps.id = 1
        ps.info.name = "ps-0"
        ps.info.role = .ps
        ps.info.address = "\(nobody)"
        ps.state = .alive
        var worker = Tessera_V1_Node()
        worker.id = 2
        worker.info.name = "worker-0"
        worker.info.role = .worker
        worker.state = .suspect
        let probes = await HealthProbe.checkAll([ps, worker], security: .none, timeout: .seconds(1))
        #expect(probes.count == 1)
        let table = StatusPresentation.table([ps, worker], probes: probes).render()
        #expect(table.contains("unreachable") && table.contains("heartbeat suspect"), "\(table)")
        #expect(StatusPresentation.unhealthy([ps, worker], probes: probes).map(\.info.name) == ["ps-0", "worker-0"])
    }
}
