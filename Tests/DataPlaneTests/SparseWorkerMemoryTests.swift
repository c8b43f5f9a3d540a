import DataPlane
import Foundation
import JobSpec
import Logging
import ParameterStore
import TensorWire
import Testing
import Training
import WorkerCore

/// A worker of a wide & deep job holds no full embedding table: its parameter and gradient buffers hold the dense
/// variables only, training moves the batch's rows and evaluation pulls each chunk's rows. Checked as a user would:
/// a job whose tables are far larger than any worker trains on in-memory shards, and the chunked evaluation gives the
/// figures the old full-table evaluation gave.
@Suite(.serialized) struct SparseWorkerMemoryTests {
    static let logger = Logger(label: "sparse-worker") { _ in SwiftLogNoOpLogHandler() }

    /// A click log: label, n1, c1..c3 (integer ids), the label planted on n1 and on c1's parity.
    static func writeClicks(root: URL, train: Int, test: Int) throws {
        let dir = root.appendingPathComponent("clicks")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        func uniform() -> Double { Double(next() % 1_000_000) / 1_000_000 }
        func rows(_ n: Int) -> String {
            var text = "label,n1,c1,c2,c3\n"
            for _ in 0..<n {
                let n1 = uniform() * 2 - 1
                let c1 = Int(next() % 40), c2 = Int(next() % 30), c3 = Int(next() % 20)
                let logit = 3 * n1 + (c1 % 2 == 0 ? 1.5 : -1.5)
                let label = uniform() < 1 / (1 + exp(-logit)) ? 1 : 0
                text += "\(label),\(String(format: "%.4f", n1)),\(c1),\(c2),\(c3)\n"
            }
            return text
        }
        try rows(train).write(to: dir.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try rows(test).write(to: dir.appendingPathComponent("test.csv"), atomically: true, encoding: .utf8)
    }

    static func spec(vocabulary: Int, maxSteps: Int) throws -> JobSpec {
        try JobSpecParser.parse(yaml: """
            name: clicks
            model:
              type: wide_deep
              hidden: [8]
              wide_deep: {embedding_dim: 4, vocabulary_hint: \(vocabulary), categorical: [c1, c2, c3], numeric: [n1], wide: [c1, c2, c3]}
            data: {format: csv, train: clicks/train.csv, test: clicks/test.csv, label: label, batch_size: 32, normalize: none}
            optimizer: {type: adagrad, learning_rate: 0.1}
            training: {mode: async, max_steps: \(maxSteps), seed: 3}
            cluster: {workers: 1, ps_shards: 2}
            """)
    }

    /// Two shards in memory, variable i on shard i % 2, embedding tables routed as embeddings (moved by row key).
    struct Shards {
        let handlers: [DataPlaneHandler]
        let routes: [(HostPort, [PartitionRoute])]

        init(variables: [VariableSpec], spec: JobSpec) throws {
            var handlers: [DataPlaneHandler] = [], routes: [(HostPort, [PartitionRoute])] = []
            for s in 0..<2 {
                let shard = ParameterShard(logger: SparseWorkerMemoryTests.logger)
                let held = variables.indices.filter { $0 % 2 == s }
                try shard.createJob(
                    jobID: 1, partitions: held.map { PartitionSpec.whole(variableID: UInt32($0), variable: variables[$0], seed: 11 &+ UInt64($0)) },
                    optimizer: OptimizerConfig(spec: spec.optimizer), consistency: ConsistencyConfig(spec: spec.training))
                handlers.append(DataPlaneHandler(shard: shard, logger: SparseWorkerMemoryTests.logger, maxPullWait: .seconds(10)))
                routes.append((HostPort(host: "shard-\(s)", port: 1), held.map {
                    PartitionRoute(variableID: UInt32($0), partition: 0, variableIndex: $0, elementOffset: 0, shape: variables[$0].shape,
                                   isSparse: variables[$0].kind == .embedding)
                }))
            }
            self.handlers = handlers
            self.routes = routes
        }

        func client() throws -> ParameterClient {
            let byAddress = Dictionary(uniqueKeysWithValues: zip(routes.map(\.0), handlers))
            return try ParameterClient(jobID: 1, workerID: 0, routes: routes, timeout: .seconds(20)) { InMemoryDataPlaneChannel(byAddress[$0]!) }
        }
    }

    /// Runs one worker's `StepLoop` of `spec` on data under `root`; returns the shards, the model and the chief's final evaluation.
    static func train(_ spec: JobSpec, root: URL) async throws -> (Shards, any Model, WorkerData, TrainingFigures?) {
        let data = try WorkerData.load(spec: spec, dataRoot: root.path, workerIndex: 0, workerCount: 1)
        let model = try ModelBuilder.make(spec: spec, data: data)
        let shards = try Shards(variables: model.variables, spec: spec)
        let client = try shards.client()
        defer { client.close() }
        let loop = StepLoop(spec: spec, data: data, model: model, shards: client, backend: CPUBackend(), isChief: true, workerCount: 1,
                            reportInterval: .milliseconds(20), logger: logger)
        let final = LockedValue<TrainingFigures?>(nil)
        let outcome = try await loop.run { report in
            if let eval = report.eval, report.finished { final.withLock { $0 = eval } }
            return ProgressAnswer(peersFinished: true)
        }
        #expect(outcome == .finished)
        return (shards, model, data, final.value)
    }

    static func scratch() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sparse-worker-\(UUID().uuidString)")
        try writeClicks(root: root, train: 2000, test: 600)
        return root
    }

    @Test func aWorkerOfAJobWithHugeTablesHoldsOnlyTheDenseVariables() async throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        // 3 tables of 2^26 rows × 4 floats and a wide kernel of 3 × 2^26 rows: 1.0 G floats (4 GiB) per full copy,
        // which a worker used to allocate twice (parameters and gradients) before its first step.
        let vocabulary = 1 << 26
        let spec = try Self.spec(vocabulary: vocabulary, maxSteps: 40)
        let data = try WorkerData.load(spec: spec, dataRoot: root.path, workerIndex: 0, workerCount: 1)
        let model = try ModelBuilder.make(spec: spec, data: data)
        let full = model.variables.reduce(0) { $0 + $1.shape.elementCount }
        #expect(full > 1_000_000_000, "the model's variables hold \(full) floats")
        let worker = try StepExchange.workerParameters(model)
        let dense = model.variables.filter { $0.kind != .embedding }.reduce(0) { $0 + $1.shape.elementCount }
        #expect(worker.elementCount == dense, "a worker holds the dense variables only: \(worker.elementCount) floats of \(full)")
        #expect(worker.elementCount < 1_000, "\(worker.elementCount) floats")
        for (spec, tensor) in zip(model.variables, worker.tensors) where spec.kind == .embedding {
            #expect(tensor.count == 0 && tensor.shape.dims.dropFirst() == spec.shape.dims.dropFirst(), "\(spec.name): \(tensor.shape)")
        }

        // The job trains and evaluates on the shards' rows; it learns the planted truth.
        let (_, _, _, final) = try await Self.train(spec, root: root)
        let evaluation = try #require(final, "the chief reports a final evaluation")
        #expect(evaluation.count == 600)
        #expect((evaluation.auc ?? 0) > 0.7, "held-out AUC \(String(describing: evaluation.auc))")
    }

    @Test func chunkedEvaluationEqualsTheFullTableEvaluation() async throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let spec = try Self.spec(vocabulary: 64, maxSteps: 60)
        let (shards, model, data, final) = try await Self.train(spec, root: root)
        let evaluation = try #require(final)
        let client = try shards.client()
        defer { client.close() }

        // The old way: every table pulled whole into full local buffers, then the model's full-table predict.
        let full = try ParameterSet(variables: model.variables)
        let buffers = VariableBuffers(full.tensors.map { UnsafeMutableBufferPointer(start: $0.baseAddress, count: $0.count) })
        try await client.pull(into: buffers)
        let rows = model.variables.indices.filter { model.variables[$0].kind == .embedding }.map { i in
            SparseRowBuffer(variableID: UInt32(i), keys: (0..<Int64(model.variables[i].shape.dims[0])).map { $0 }, rows: buffers.buffers[i])
        }
        try await client.pullRows(rows)
        let old = try data.evaluate(model: model, parameters: full, backend: CPUBackend())

        #expect(evaluation.count == old.count)
        #expect(abs(evaluation.loss - old.loss) < 1e-6, "chunked \(evaluation.loss) vs full tables \(old.loss)")
        #expect(evaluation.accuracy == old.accuracy)
        #expect(abs((evaluation.auc ?? -1) - (old.auc ?? -2)) < 1e-9, "chunked \(String(describing: evaluation.auc)) vs \(String(describing: old.auc))")
        #expect((old.auc ?? 0) > 0.7, "the model learned: \(String(describing: old.auc))")
    }
}
