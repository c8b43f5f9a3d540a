import ClusterAPI
import ClusterRuntime
import Foundation
import Logging
import ParameterStore
import Testing
import TensorWire
import Training

/// A cluster in this process over real sockets (a coordinator psd, a second psd, one workerd that trains and serves),
/// the worker's steps slowed by a constant delay so the job trains long enough to be asked while it does.
private struct LiveServingCluster {
    let shards: [ParameterServerDaemon]
    /// The second psd's gRPC and native data-plane addresses.
    let secondAddresses: [HostPort]
    let worker: WorkerDaemon
    let client: CoordinatorClient
    let root: URL

    static func start(dataRoot: String, stepDelayMs: Double) async throws -> LiveServingCluster {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-live-\(UUID().uuidString)")
        let coordinator = try ParameterServerDaemon(
            config: ParameterServerConfig(
                listen: HostPort(host: "127.0.0.1", port: 0), dataDir: root.appendingPathComponent("ps-0").path, coordinator: nil, name: "ps-0",
                heartbeatInterval: .milliseconds(200)),
            logger: logger)
        let address = try await coordinator.start()
        let second = try ParameterServerDaemon(
            config: ParameterServerConfig(
                listen: HostPort(host: "127.0.0.1", port: 0), dataDir: root.appendingPathComponent("ps-1").path, coordinator: address, name: "ps-1"),
            logger: logger)
        let secondAddresses = [try await second.start(), try await second.dataAddress()].compactMap { $0 }
        var config = WorkerConfig(coordinator: address, dataRoot: dataRoot, name: "worker-0", pollInterval: .milliseconds(50))
        config.servingListen = HostPort(host: "127.0.0.1", port: 0)
        config.servingGRPCListen = HostPort(host: "127.0.0.1", port: 0)
        config.stepDelay = StepDelay(.constant(ms: stepDelayMs), seed: 1)
        let worker = try WorkerDaemon(config: config, logger: logger)
        worker.start()
        let cluster = LiveServingCluster(shards: [coordinator, second], secondAddresses: secondAddresses, worker: worker, client: try CoordinatorClient(address: address), root: root)
        guard await waitUntil(within: .seconds(30), { (try? await cluster.client.status().nodes.filter { $0.state == .alive }.count) == 3 }) else {
            await cluster.stop()
            throw RuntimeFailure(.deadlineExceeded, "the cluster did not come up with 3 nodes")
        }
        return cluster
    }

    /// Embedding rows the shards hold for `job`, over every embedding partition of its placement.
    func rowCount(_ job: Tessera_V1_Job) -> Int {
        let number = UInt64(job.id.split(separator: "-").last ?? "") ?? 0
        var rows = 0
        for p in job.placement where p.kind == "embedding" {
            for daemon in shards {
                rows += (try? daemon.shard.sparseRowCount(jobID: number, key: PartitionKey(variableID: p.variableID, partition: p.partition))) ?? 0
            }
        }
        return rows
    }

    func stop() async {
        await worker.stop()
        for s in shards.reversed() { await s.stop() }
        client.close()
        try? FileManager.default.removeItem(at: root)
    }
}

/// Live serving of an embedding model (wide & deep on hashed categorical columns, tables hash-partitioned over two
/// shards): the replica holds only the dense variables, reads the rows of each request's ids from the shards without
/// creating any, answers while the job trains, and answers exactly what the job's export answers.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct EmbeddingServingTests {
    static let spec = """
        apiVersion: tessera.dev/v1
        kind: TrainingJob
        name: clicks-live
        model:
          type: wide_deep
          hidden: [8]
          wide_deep: {embedding_dim: 4, vocabulary_hint: 4096, categorical: [color, size], numeric: [x], wide: [color]}
        data: {format: csv, train: clicks/clicks.csv, label: label, test_fraction: 0.2, batch_size: 32, shuffle: true}
        optimizer: {type: adagrad, learning_rate: 0.1}
        training: {mode: async, max_steps: 1500, seed: 3}
        cluster: {workers: 1, ps_shards: 2}
        serving: {replicas: 1, refresh_ms: 100}
        """

    /// 1,500 click rows: 24 colours, 5 sizes, a number; the label depends on the colour and the number.
    static func writeClicks(under root: URL) throws {
        let dir = root.appendingPathComponent("clicks")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var text = "color,size,x,label\n"
        for i in 0..<1500 {
            let color = (i * 7) % 24, size = (i * 3) % 5
            let x = Double((i * 37) % 100) / 100
            let label = (color % 3 == 0) != (x > 0.6) ? 1 : 0
            text += "c\(color),s\(size),\(x),\(label)\n"
        }
        try text.write(to: dir.appendingPathComponent("clicks.csv"), atomically: true, encoding: .utf8)
    }

    /// Instances as a client sends them: known colours, and `unseen` colours no row of the data has.
    static func instances(unseen: Int) -> [[String: Any]] {
        let known: [[String: Any]] = (0..<8).map { ["color": "c\($0 * 3)", "size": "s\($0 % 5)", "x": Double($0) / 8] }
        let fresh: [[String: Any]] = (0..<unseen).map { ["color": "never-seen-\($0)", "size": "s1", "x": 0.5] }
        return known + fresh
    }

    static func body(_ instances: [[String: Any]]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: ["instances": instances]), as: UTF8.self)
    }

    @Test func anEmbeddingModelIsServedLiveFromRowsItReadsWithoutCreatingThem() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-clicks-\(UUID().uuidString)")
        try Self.writeClicks(under: data)
        defer { try? FileManager.default.removeItem(at: data) }
        let cluster = try await LiveServingCluster.start(dataRoot: data.path, stepDelayMs: 6)
        do { try await Self.serve(cluster, exportTo: data.appendingPathComponent("clicks.safetensors").path) } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    private static func serve(_ cluster: LiveServingCluster, exportTo exportPath: String) async throws {
        let http = try HostPort(parsing: try #require(cluster.worker.predictionAddress))
        let id = try await cluster.client.submit(yaml: spec).id
        let path = "/v1/models/clicks-live:predict"

        // (1) While the job trains, the replica answers with the step it holds, and reports it.
        var answeredWhileTraining: Set<UInt64> = []
        var job = try await cluster.client.job(id)
        let deadline = ContinuousClock.now + .seconds(90)
        while !job.state.isFinal, ContinuousClock.now < deadline {
            if job.state.displayName == "RUNNING", let replica = job.serving.first(where: { $0.state == "serving" }) {
                let answer = try await HTTPPost.send(http, path, try body(instances(unseen: 2)))
                #expect(answer.status == 200, "\(answer.body)")
                if answer.status == 200 {
                    #expect(try predictions(answer.body).count == 10)
                    let after = try await cluster.client.job(id)
                    if after.state.displayName == "RUNNING" { answeredWhileTraining.insert(replica.version) }
                }
            }
            try await Task.sleep(for: .milliseconds(150))
            job = try await cluster.client.job(id)
        }
        #expect(job.state.displayName == "SUCCEEDED", "\(job.reason)")
        #expect(!answeredWhileTraining.isEmpty, "no prediction was answered while the job trained")
        #expect(answeredWhileTraining.allSatisfy { $0 < UInt64(job.step) }, "\(answeredWhileTraining.sorted()) vs final step \(job.step)")

        // The replica then serves the final step, as a dense model's does; a cached row lives one refresh interval
        // (100 ms), so after 300 ms every row it answers with is the final one.
        #expect(await waitUntil(within: .seconds(30)) {
            (try? await cluster.client.job(id).serving.first { $0.state == "serving" }?.version) == UInt64(job.step)
        }, "the replica reports the final step \(job.step)")
        try await Task.sleep(for: .milliseconds(300))
        // `clusterctl serve` of an embedding job is accepted too (it was refused before live serving of such models).
        let reserved = await statusOf { _ = try await cluster.client.serve(id, replicas: 1, refreshMs: 100) }
        #expect(reserved == nil, "serve refused: \(String(describing: reserved))")

        // (3) Requests naming colours no step ever saw create no row on either shard.
        let held = cluster.rowCount(job)
        #expect(held > 0)
        let asked = instances(unseen: 12)
        let served = try await HTTPPost.send(http, path, try body(asked))
        #expect(served.status == 200, "\(served.body)")
        let servedRows = try predictions(served.body)
        #expect(cluster.rowCount(job) == held, "serving created rows: \(held) before, \(cluster.rowCount(job)) after")

        // The gRPC interface answers the same.
        let grpc = try PredictionClient(address: try HostPort(parsing: try #require(cluster.worker.predictionGRPCAddress)))
        defer { grpc.close() }
        let grpcAnswer = try await grpc.predict(.with {
            $0.model = "clicks-live"
            $0.instances = asked.map { instance in
                .with { $0.fields = .with { fields in
                    for (name, value) in instance {
                        fields.values[name] = .with { if let text = value as? String { $0.text = text } else { $0.number = value as? Double ?? 0 } }
                    }
                } }
            }
        })
        #expect(grpcAnswer.version == UInt64(job.step))
        #expect(grpcAnswer.predictions.map(\.values) == servedRows.map { $0.map { Float($0) } })
        #expect(cluster.rowCount(job) == held)

        // (2) The served predictions are what the job's export (every row the shards hold, untouched rows at their
        // initial values) predicts, within float tolerance.
        try await ModelExporter.export(job: try await cluster.client.job(id), to: exportPath)
        let exported = try ExportedModel.predictor(path: exportPath, backend: try ComputeDevice.backend(named: "cpu", threads: 1))
        #expect(exported.step == UInt64(job.step))
        let examples: [RawExample] = asked.map { instance in
            .fields(instance.mapValues { value -> Preprocessing.RawValue in (value as? String).map { .text($0) } ?? .number(value as? Double ?? 0) })
        }
        let reference = try exported.predictor.predict(examples)
        #expect(reference.outputs.count == servedRows.count)
        for (i, (a, b)) in zip(servedRows, reference.outputs).enumerated() {
            #expect(abs(a[0] - Double(b[0])) <= 1e-5, "instance \(i): served \(a[0]), export \(b[0])")
        }

        // (4) A bad request is refused with a sentence naming the problem, on both interfaces.
        let unknown = try await HTTPPost.send(http, path, #"{"instances": [{"colour": "c3", "x": 1}]}"#)
        #expect(unknown.status == 400 && unknown.body.contains("unknown feature \\\"colour\\\""), "\(unknown.body)")
        let numbers = try await HTTPPost.send(http, path, #"{"instances": [[1, 2, 3]]}"#)
        #expect(numbers.status == 400 && numbers.body.contains("send each example as an object"), "\(numbers.body)")
        let notNumber = try await HTTPPost.send(http, path, #"{"instances": [{"color": "c3", "x": "many"}]}"#)
        #expect(notNumber.status == 400 && notNumber.body.contains("feature \\\"x\\\" is not a number"), "\(notNumber.body)")
        do {
            _ = try await grpc.predict(.with { $0.model = "clicks-live"; $0.instances = [.with { $0.row = .with { $0.values = [1, 2] } }] })
            Issue.record("a row of numbers was accepted by a model of named columns")
        } catch let failure as RuntimeFailure {
            #expect(failure.code == .invalidArgument && failure.message.contains("send each example as an object"), "\(failure.message)")
        }

        // A shard that is down makes a request needing its rows UNAVAILABLE with a sentence, not a hang.
        await cluster.shards[1].stop()
        #expect(await waitUntil(within: .seconds(20)) {
            cluster.secondAddresses.allSatisfy { (try? RawTCP($0)) == nil }
        }, "the stopped psd still accepts connections")
        let fresh = (0..<16).map { ["color": "after-the-shard-\($0)", "size": "s2", "x": 0.1] as [String: Any] }
        let started = ContinuousClock.now
        let down = try await HTTPPost.send(http, path, try body(fresh))
        #expect(down.status == 503 && down.body.contains("cannot read this request's embedding rows"), "\(down.status) \(down.body)")
        let refusedAfter = ContinuousClock.now - started
        #expect(refusedAfter < .seconds(20))
        print("embedding serving: answered at steps \(answeredWhileTraining.sorted()) while training (final \(job.step)); \(held) rows held, unchanged by 12 unseen colours; shard down refused in \(refusedAfter)")
    }

    /// The rows of {"predictions": [[p], …]}.
    static func predictions(_ text: String) throws -> [[Double]] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return try #require(object?["predictions"] as? [[Double]], "not a predictions answer: \(text.prefix(200))")
    }
}

/// One HTTP/1.1 POST on its own connection, on a thread of its own (the blocking socket never holds a thread of
/// the concurrency pool, which the server's predictions run on).
enum HTTPPost {
    static func send(_ address: HostPort, _ path: String, _ json: String) async throws -> (status: Int, body: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let socket = try RawTCP(address)
                    let body = Array(json.utf8)
                    socket.send(Array("POST \(path) HTTP/1.1\r\nHost: \(address)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body)
                    let text = String(decoding: socket.readUntilClosed(wait: .seconds(30)).bytes, as: UTF8.self)
                    let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
                    let answer = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
                    continuation.resume(returning: (status, answer))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
