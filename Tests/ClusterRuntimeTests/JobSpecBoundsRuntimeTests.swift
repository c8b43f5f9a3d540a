import ClusterAPI
import Coordinator
import Foundation
import GRPCCore
import Logging
import ParameterStore
import TensorWire
import Testing
import Training

@testable import ClusterRuntime

/// The job-spec bounds and the memory budget where they meet the runtime: protobuf rendering, the shards'
/// optimizer slots, the workers' real models, and SubmitJob's status.
@Suite struct JobSpecBoundsRuntimeTests {
    static func spec(_ model: String = "{type: linear}", data: String = "{format: synthetic, weights: [2]}",
                     optimizer: String = "{type: adam}", training: String = "{mode: async, max_steps: 10}", cluster: String = "{workers: 2}",
                     extra: String = "") -> String {
        "name: t\nmodel: \(model)\ndata: \(data)\noptimizer: \(optimizer)\ntraining: \(training)\ncluster: \(cluster)\n\(extra)"
    }

    /// Specs with a value exactly at each bound (every 32-bit protobuf field at its largest).
    static let atBounds: [String] = [
        spec(data: "{format: synthetic, weights: [2], batch_size: 65536, samples: 100000000}"),
        spec(data: "{format: libsvm, train: a/b.svm, features: 16777216}"),
        spec("{type: mlp, hidden: [65536]}"),
        spec("{type: softmax, classes: 100000}"),
        spec("{type: cnn, hidden: [4], cnn: {filters: [4096], kernel_size: 64, pool_size: 64, input_shape: [64, 64, 1]}}"),
        spec("{type: cnn, hidden: [], cnn: {filters: [2], pool_size: 1, input_shape: [16384, 1, 1]}}"),
        spec("{type: wide_deep, wide_deep: {categorical: [a], embedding_dim: 1024}}", data: "{format: csv, train: x.csv, label: y}"),
        spec("{type: wide_deep, hidden: [], wide_deep: {categorical: [a], numeric: [b], vocabulary_hint: 67108864}}",
             data: "{format: csv, train: x.csv, label: y}"),
        spec(optimizer: "{type: ftrl, learning_rate: 1000000, epsilon: 1.0e-30, schedule: {type: linear_warmup, warmup_steps: 1000000000000}}"),
        spec(training: "{epochs: 1000000, max_steps: 1000000000000, eval_every_steps: 1000000000000, max_staleness: 1000000, seed: 9223372036854775807, checkpoint: {every_steps: 1000000000000, every_seconds: 31536000, keep: 1000}}"),
        spec(training: "{mode: sync, max_steps: 10, replicas_to_aggregate: 1, backup_workers: 4095}", cluster: "{workers: 4096, ps_shards: 1024}"),
        spec(training: "{max_steps: 10, checkpoint: {every_steps: 5}}", extra: "init_from: /exports/m.safetensors"),
    ]

    @Test(arguments: atBounds)
    func aSpecAtItsBoundsRendersToProtobufAndBack(_ yaml: String) throws {
        let spec = try JobSpecParser.parse(yaml: yaml)
        let bytes: [UInt8] = try spec.proto.serializedBytes()
        var back = try JobSpec(proto: try Tessera_V1_JobSpec(serializedBytes: bytes))
        if spec.model.hidden.isEmpty { back.model.hidden = [] }  // protobuf cannot tell [] from "the default"
        #expect(back == spec)
    }

    @Test func aStoredSpecPastItsBoundsRendersWithoutTrapping() {
        // A record stored before the bounds existed: rendering clamps instead of trapping (the coordinator serves on).
        var spec = JobSpec(name: "old", model: ModelSpec(type: .mlp, hidden: [1 << 40]), data: .synthetic(weights: [1], batchSize: 1 << 31))
        spec.training.checkpoint.keep = 1 << 33
        spec.cluster.workers = 1_000_000_000_000
        let proto = spec.proto
        #expect(proto.data.batchSize == .max)
        #expect(proto.model.hidden == [.max])
        #expect(proto.training.checkpoint.keep == .max)
        #expect(proto.cluster.workers == .max)
        #expect(throws: (any Error).self) { _ = try JobSpec(proto: proto) }  // and reading it back is refused, not trusted
    }

    @Test(arguments: OptimizerType.allCases)
    func theBudgetCountsTheSlotsTheShardKeeps(_ type: OptimizerType) {
        for momentum in [0, 0.9] {
            let spec = OptimizerSpec(type: type, momentum: momentum)
            #expect(spec.slotCount == OptimizerConfig(spec: spec).slotNames.count, "\(type) momentum \(momentum)")
        }
    }

    /// The models the workers build for the examples (as ModelBuilder configures them from the data they read).
    static func workerModel(_ example: String) throws -> (any Model)? {
        switch example {
        case "mnist-mlp.yaml":
            return try ModelFactory.makeModel(ModelConfig(type: .mlp, inputWidth: 784, classes: 10, hidden: [256, 128]))
        case "mnist-cnn.yaml":
            var config = ModelConfig(type: .cnn, inputWidth: 784, classes: 10, hidden: [128])
            config.cnn = CNNConfig(image: ImageShape(height: 28, width: 28, channels: 1), filters: [16, 32], kernelSize: 5, poolSize: 2)
            return try ModelFactory.makeModel(config)
        case "census-wide-deep.yaml":
            let columns = TabularColumns(
                categorical: ["workclass", "education", "marital-status", "occupation", "relationship", "race", "gender", "native-country"],
                numeric: ["age", "educational-num", "capital-gain", "capital-loss", "hours-per-week"],
                wide: ["workclass", "education", "marital-status", "occupation", "relationship", "native-country",
                       "education*occupation", "native-country*occupation", "relationship*marital-status"],
                buckets: 1000, wideBuckets: 1000, embeddingDim: 8)
            var config = ModelConfig(type: .wideDeep, inputWidth: columns.layout.inputWidth, classes: 2, hidden: [128, 64])
            config.wideDeep = columns.layout
            return try ModelFactory.makeModel(config)
        case "linear-hello.yaml":
            return try ModelFactory.makeModel(ModelConfig(type: .linear, inputWidth: 1))
        case "cancer-logistic.yaml", "cancer-sync-backup.yaml":
            return try ModelFactory.makeModel(ModelConfig(type: .logistic, inputWidth: 30))
        default:
            return nil
        }
    }

    @Test(arguments: ["mnist-mlp.yaml", "mnist-cnn.yaml", "census-wide-deep.yaml", "linear-hello.yaml", "cancer-logistic.yaml", "cancer-sync-backup.yaml"])
    func theBudgetEstimateMatchesTheDeclaredVariables(_ example: String) throws {
        let url = packageRoot().appendingPathComponent("examples").appendingPathComponent(example)
        let spec = try JobSpecParser.parse(yaml: String(contentsOf: url, encoding: .utf8))
        let model = try #require(try Self.workerModel(example))
        let estimate = try #require(spec.modelEstimate)
        let declared = JobBudget.shardBytes(of: model.variables, optimizer: spec.optimizer, mode: spec.training.mode)
        let estimated = try #require(JobBudget.estimatedShardBytes(spec))
        if estimate.inputWidthKnown {
            // The spec determines the shapes (IDX 28 × 28 inputs and 10 classes, synthetic weights, CSV columns): exact.
            let shapes = { (vs: [VariableSpec]) in vs.map { "\($0.name) \($0.shape) \($0.kind)" } }
            #expect(shapes(estimate.variableSpecs) == shapes(model.variables))
            #expect(estimated == declared)
        } else {
            // A CSV without `features`: the first layer is sized for one input, a lower bound (factor ≤ the input width).
            #expect(estimated <= declared)
            #expect(declared <= estimated * 30)
        }
    }

    @Test func coordinatorErrorsMapToTheirStatus() {
        #expect(RPCError(failure: CoordinatorError(.resourceExhausted, "no room")).code == .resourceExhausted)
        #expect(RPCError(failure: CoordinatorError(.invalidReport, "negative")).code == .invalidArgument)
        #expect(RPCError(failure: CoordinatorError(.invalidSpec, "bad", path: "data.batch_size")).code == .invalidArgument)
    }

    @Test(.timeLimit(.minutes(1)))
    func aSubmitThatDoesNotFitTheShardsIsRefusedResourceExhausted() async throws {
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-budget-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var config = ParameterServerConfig(
            listen: HostPort(host: "127.0.0.1", port: 0), dataDir: root.path, coordinator: nil, name: "ps-0",
            heartbeatInterval: .milliseconds(200))
        config.limits.memoryLimitBytes = 4 << 20
        let psd = try ParameterServerDaemon(config: config, logger: logger)
        let address = try await psd.start()
        let client = try CoordinatorClient(address: address)
        defer { client.close() }
        var nodes: [Tessera_V1_Node] = []
        for _ in 0..<100 where nodes.isEmpty {
            nodes = (try? await client.status().nodes) ?? []
            if nodes.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(nodes.first?.info.memoryLimitBytes == 4 << 20)
        #expect(nodes.first?.memoryReservedBytes == 0)
        // 1000 × 1000 weights with Adam: ~11.5 MiB > 4 MiB.
        let yaml = Self.spec("{type: mlp, hidden: [1000]}", data: "{format: libsvm, train: a.svm, features: 1000}", cluster: "{workers: 1}")
        do {
            _ = try await client.submit(yaml: yaml)
            Issue.record("a job needing ~11.5 MiB was accepted by a 4 MiB shard")
        } catch let failure as RuntimeFailure {
            #expect(failure.code == .resourceExhausted)
            #expect(failure.message.contains("job needs ~11.5 MiB of shard memory (variables × 3: values + 2 adam slots), the 1 alive shard has 4 MiB free of 4 MiB (psd --memory-limit)"), "\(failure.message)")
        }
        // A bound is INVALID_ARGUMENT naming the key.
        do {
            _ = try await client.submit(yaml: Self.spec(data: "{format: synthetic, weights: [2], batch_size: 2147483648}"))
            Issue.record("batch_size 2^31 was accepted")
        } catch let failure as RuntimeFailure {
            #expect(failure.code == .invalidArgument)
            #expect(failure.message.contains("data.batch_size: must be ≤ 65536 (the per-step batch limit), got 2147483648"), "\(failure.message)")
        }
        // What fits is accepted.
        _ = try await client.submit(yaml: Self.spec(cluster: "{workers: 1}"))
        await psd.stop()
    }
}
