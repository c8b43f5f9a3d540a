import ClusterAPI
import ClusterRuntime
import Foundation
import Logging
import Testing
import Training

/// gRPC `Predict` over real sockets on loopback: a `PredictionGRPCServer` answering a predictor as a client sees it
/// (statuses and sentences), and a workerd started with a gRPC prediction address advertising it for its replicas.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct PredictionGRPCServerTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    static let token = "s3cret-token-0123456789"

    /// The failure a call ends with (nil when it answers).
    static func failure(_ body: () async throws -> Void) async -> RuntimeFailure? {
        do { try await body() } catch { return error as? RuntimeFailure ?? RuntimeFailure(.internalError, "not a RuntimeFailure: \(error)") }
        return nil
    }

    @Test func aLoopbackServerAnswersAPredictorAndRefusesWhatTheRESTInterfaceRefuses() async throws {
        let api = PredictionAPI(
            name: "toy", predictor: try PredictionServiceTests.predictor(), token: Self.token, limits: PredictRequest.Limits(maxBodyBytes: 4096))
        let server = PredictionGRPCServer(address: HostPort(host: "127.0.0.1", port: 0), api: api, logger: Self.logger)
        let address = try await server.bind()
        let task = Task { try await server.run() }
        defer { task.cancel(); server.stop() }
        let client = try PredictionClient(address: address, security: RPCSecurity(token: Self.token))
        defer { client.close() }

        let answer = try await client.predict(PredictionServiceTests.request([PredictionServiceTests.row([12, 1])]))
        #expect(answer.version == 42 && answer.predictions.count == 1)
        #expect(abs(Double(answer.predictions[0].values[0]) - PredictionServiceTests.sigmoid(0.5)) < 1e-6, "\(answer)")
        #expect(try await client.status(model: "toy").version == 42)

        let wide = await Self.failure { _ = try await client.predict(PredictionServiceTests.request([PredictionServiceTests.row([1, 2, 3])])) }
        #expect(wide?.code == .invalidArgument && wide?.message.contains("instance 0: an example has 3 values; the model takes 2 features") == true,
                "\(String(describing: wide))")
        let unknown = await Self.failure { _ = try await client.predict(PredictionServiceTests.request([PredictionServiceTests.row([1, 2])], model: "cancer")) }
        #expect(unknown?.code == .notFound && unknown?.message.contains(#"no model "cancer" here; this server serves "toy""#) == true,
                "\(String(describing: unknown))")
        // 400 rows of 2 doubles: over the 4,096-byte message limit, refused by the transport before it is decoded (it
        // resets the stream; the client names the likely cause).
        let big = PredictionServiceTests.request(Array(repeating: PredictionServiceTests.row([1.5, 2.5]), count: 400))
        let tooBig = await Self.failure { _ = try await client.predict(big) }
        #expect(tooBig?.code == .resourceExhausted && tooBig?.message.contains("bytes a prediction request may have") == true,
                "\(String(describing: tooBig))")

        let anonymous = try PredictionClient(address: address)
        defer { anonymous.close() }
        let missing = await Self.failure { _ = try await anonymous.predict(PredictionServiceTests.request([PredictionServiceTests.row([12, 1])])) }
        #expect(missing?.code == .unauthenticated && missing?.message.contains("requires a token") == true, "\(String(describing: missing))")
        let wrong = try PredictionClient(address: address, security: RPCSecurity(token: "not-the-token-0123456789"))
        defer { wrong.close() }
        #expect(await Self.failure { _ = try await wrong.status(model: "toy") }?.code == .unauthenticated)
        // The server still answers after every refusal.
        #expect(try await client.predict(PredictionServiceTests.request([PredictionServiceTests.row([10, 0])])).predictions.count == 1)
    }

    @Test func aPortInUseIsUnavailableNamingTheAddress() async throws {
        let api = PredictionAPI(name: "toy", predictor: try PredictionServiceTests.predictor())
        let first = PredictionGRPCServer(address: HostPort(host: "127.0.0.1", port: 0), api: api, logger: Self.logger)
        let taken = try await first.bind()
        defer { first.stop() }
        let second = PredictionGRPCServer(address: taken, api: api, logger: Self.logger)
        let failure = await Self.failure { _ = try await second.bind() }
        #expect(failure?.code == .unavailable && failure?.message.contains("\(taken)") == true, "\(String(describing: failure))")
    }

    /// Cluster mode: a worker with a gRPC prediction address registers it, the job's replica shows it, and a raw CSV row
    /// sent there is answered by the job's model under its name.
    @Test func aServingWorkerAdvertisesItsGRPCAddressAndItsReplicaAnswersThere() async throws {
        let cluster = try await InProcessCluster.start(shards: 1, workers: 1, dataRoot: testDataRoot())
        var config = WorkerConfig(coordinator: cluster.coordinatorAddress, dataRoot: testDataRoot(), name: "server-0", pollInterval: .milliseconds(50))
        config.servingListen = HostPort(host: "127.0.0.1", port: 0)
        config.servingGRPCListen = HostPort(host: "127.0.0.1", port: 0)
        let server = try WorkerDaemon(config: config, logger: Self.logger)
        server.start()
        do { try await Self.serveAndPredict(cluster, server) } catch {
            await server.stop()
            await cluster.stop()
            throw error
        }
        await server.stop()
        await cluster.stop()
    }

    private static func serveAndPredict(_ cluster: InProcessCluster, _ server: WorkerDaemon) async throws {
        try await cluster.waitForNodes(3)
        let grpcAddress = try #require(server.predictionGRPCAddress, "the gRPC prediction server is bound before the worker registers")
        let node = try #require(try await cluster.client.status().nodes.first { $0.info.name == "server-0" })
        #expect(node.info.servingGrpcAddress == grpcAddress && node.info.servingAddress == server.predictionAddress)

        var yaml = try String(contentsOf: packageRoot().appendingPathComponent("examples/cancer-logistic.yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "  workers: 2\n  ps_shards: 2", with: "  workers: 1\n  ps_shards: 1") + "serving:\n  replicas: 1\n  refresh_ms: 100\n"
        let id = try await cluster.client.submit(yaml: yaml).id
        var replica: Tessera_V1_ServingReplica?
        _ = await waitUntil(within: .seconds(60)) {
            replica = try? await cluster.client.job(id).serving.first { $0.state == "serving" }
            return replica != nil
        }
        let served = try #require(replica, "the replica reports serving")
        #expect(served.grpcAddress == grpcAddress && served.node == "server-0")

        let client = try PredictionClient(address: try HostPort(parsing: served.grpcAddress))
        defer { client.close() }
        // The first row of the CSV in its own units (a malignant tumour: label 0), through the job's preprocessing.
        let row: [Double] = [
            17.99, 10.38, 122.8, 1001, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095, 0.9053, 8.589, 153.4, 0.006399,
            0.04904, 0.05373, 0.01587, 0.03003, 0.006193, 25.38, 17.33, 184.6, 2019, 0.1622, 0.6656, 0.7119, 0.2654, 0.4601, 0.1189,
        ]
        let request = PredictionServiceTests.request([PredictionServiceTests.row(row)], model: "cancer-logistic")
        let early = try await client.predict(request)
        #expect(early.predictions.count == 1 && early.predictions[0].values.count == 1, "answered while the job trains: \(early)")
        // After the job the replica serves its final model, which classifies the row.
        let ended = try await cluster.waitForEnd(id)
        #expect(ended.state.displayName == "SUCCEEDED", "\(ended.reason)")
        #expect(await waitUntil(within: .seconds(30)) { (try? await client.status(model: id).version) == UInt64(ended.step) },
                "the job id names the model too, at the final step")
        let final = try await client.predict(request)
        #expect(final.version == UInt64(ended.step) && final.predictions[0].values[0] < 0.5, "P(benign) of a malignant row: \(final)")
    }
}
