import Foundation
import Testing

@testable import Coordinator

/// One bound: a spec exactly at it (accepted) and one just past it (refused at `path`, naming the bound).
struct BoundCase: Sendable, CustomTestStringConvertible {
    let path: String
    let atBound: String
    let pastBound: String
    let message: String
    var testDescription: String { path }
}

/// Specs exactly at every bound and one past it.
enum BoundSpecs {
    static func synthetic(_ extra: String = "", weights: String = "[2]") -> String { "{format: synthetic, weights: \(weights)\(extra)}" }
    static let csv = "{format: csv, train: a.csv, label: y}"

    static func upper(_ path: String, _ bound: JobSpecLimits.Bound, _ make: (Int) -> String) -> BoundCase {
        BoundCase(
            path: path, atBound: make(bound.upper), pastBound: make(bound.upper + 1),
            message: "must be ≤ \(bound.upper) (\(bound.name)), got \(bound.upper + 1)")
    }

    static func count(_ path: String, _ bound: JobSpecLimits.Bound, _ what: String, _ make: (Int) -> String) -> BoundCase {
        BoundCase(
            path: path, atBound: make(bound.upper), pastBound: make(bound.upper + 1),
            message: "at most \(bound.upper) \(what) (\(bound.name)), got \(bound.upper + 1)")
    }

    static func list(_ n: Int, _ item: (Int) -> String) -> String { "[" + (0..<n).map(item).joined(separator: ", ") + "]" }

    typealias L = JobSpecLimits
    static let cases: [BoundCase] = [
        upper("data.batch_size", L.batchSize) { specYAML(data: synthetic(", batch_size: \($0)")) },
        upper("data.features", L.features) { specYAML(data: "{format: libsvm, train: a.svm, features: \($0)}") },
        upper("data.samples", L.samples) { specYAML(data: synthetic(", samples: \($0)")) },
        count("data.weights", L.weights, "weights") { specYAML(data: synthetic(weights: list($0) { _ in "1" })) },
        count("model.hidden", L.layers, "hidden layers") { specYAML(model: "{type: mlp, hidden: \(list($0) { _ in "1" })}") },
        upper("model.hidden[0]", L.layerWidth) { specYAML(model: "{type: mlp, hidden: [\($0)]}") },
        upper("model.classes", L.classes) { specYAML(model: "{type: softmax, classes: \($0)}") },
        count("model.cnn.filters", L.convBlocks, "convolutions") {
            specYAML(model: "{type: cnn, cnn: {filters: \(list($0) { _ in "1" }), kernel_size: 1, pool_size: 1, input_shape: [4, 4, 1]}}")
        },
        upper("model.cnn.filters[0]", L.filters) { specYAML(model: "{type: cnn, cnn: {filters: [\($0)], kernel_size: 1, input_shape: [4, 4, 1]}}") },
        upper("model.cnn.kernel_size", L.kernelSize) { specYAML(model: "{type: cnn, cnn: {filters: [1], kernel_size: \($0), input_shape: [64, 64, 1]}}") },
        upper("model.cnn.pool_size", L.poolSize) { specYAML(model: "{type: cnn, cnn: {filters: [1], pool_size: \($0), input_shape: [64, 64, 1]}}") },
        upper("model.cnn.input_shape[0]", L.imageDimension) {
            specYAML(model: "{type: cnn, cnn: {filters: [1], pool_size: 1, input_shape: [\($0), 1, 1]}}")
        },
        upper("model.wide_deep.embedding_dim", L.embeddingDim) {
            specYAML(model: "{type: wide_deep, wide_deep: {categorical: [a], embedding_dim: \($0)}}", data: csv)
        },
        upper("model.wide_deep.vocabulary_hint", L.vocabularyHint) {
            specYAML(model: "{type: wide_deep, wide_deep: {categorical: [a], vocabulary_hint: \($0)}}", data: csv)
        },
        count("model.wide_deep.categorical", L.columns, "columns") {
            specYAML(model: "{type: wide_deep, wide_deep: {categorical: \(list($0) { "c\($0)" })}}", data: csv)
        },
        upper("optimizer.schedule.decay_steps", L.scheduleSteps) {
            specYAML(optimizer: "{type: sgd, schedule: {type: exponential_decay, decay_steps: \($0)}}")
        },
        upper("training.epochs", L.epochs) { specYAML(training: "{epochs: \($0)}") },
        upper("training.max_steps", L.maxSteps) { specYAML(training: "{max_steps: \($0)}") },
        upper("training.eval_every_steps", L.evalEverySteps) { specYAML(training: "{max_steps: 10, eval_every_steps: \($0)}") },
        upper("training.checkpoint.every_steps", L.checkpointSteps) { specYAML(training: "{max_steps: 10, checkpoint: {every_steps: \($0)}}") },
        upper("training.checkpoint.keep", L.checkpointsKept) { specYAML(training: "{max_steps: 10, checkpoint: {keep: \($0)}}") },
        upper("training.max_staleness", L.maxStaleness) { specYAML(training: "{max_steps: 10, max_staleness: \($0)}") },
        upper("cluster.workers", L.workers) { specYAML(cluster: "{workers: \($0)}") },
        upper("training.replicas_to_aggregate", L.workers) {
            specYAML(training: "{mode: sync, max_steps: 10, replicas_to_aggregate: \($0)}", cluster: "{workers: 4096}")
        },
        upper("training.backup_workers", L.backupWorkers) {
            specYAML(training: "{mode: sync, max_steps: 10, replicas_to_aggregate: 1, backup_workers: \($0)}", cluster: "{workers: 4096}")
        },
        upper("cluster.ps_shards", L.psShards) { specYAML(cluster: "{ps_shards: \($0)}") },
        BoundCase(
            path: "data.train", atBound: specYAML(data: "{format: csv, train: \(String(repeating: "a", count: 4096)), label: y}"),
            pastBound: specYAML(data: "{format: csv, train: \(String(repeating: "a", count: 4097)), label: y}"),
            message: "must be at most 4096 bytes (the path-length limit), got 4097"),
        BoundCase(
            path: "data.label", atBound: specYAML(data: "{format: csv, train: a.csv, label: \(String(repeating: "y", count: 256))}"),
            pastBound: specYAML(data: "{format: csv, train: a.csv, label: \(String(repeating: "y", count: 257))}"),
            message: "must be at most 256 bytes (the name-length limit), got 257"),
        BoundCase(
            path: "training.seed", atBound: specYAML(training: "{max_steps: 10, seed: 9223372036854775807}"),
            pastBound: specYAML(training: "{max_steps: 10, seed: 9223372036854775808}"), message: "expected an integer"),
        BoundCase(
            path: "training.checkpoint.every_seconds", atBound: specYAML(training: "{max_steps: 10, checkpoint: {every_seconds: 31536000}}"),
            pastBound: specYAML(training: "{max_steps: 10, checkpoint: {every_seconds: 31536001}}"), message: "(the checkpoint-interval limit)"),
        BoundCase(
            path: "optimizer.learning_rate", atBound: specYAML(optimizer: "{learning_rate: 1000000}"),
            pastBound: specYAML(optimizer: "{learning_rate: 1000001}"), message: "must be ≤ 1000000.0 (the rate limit), got 1000001.0"),
        BoundCase(
            path: "optimizer.epsilon", atBound: specYAML(optimizer: "{type: adam, epsilon: 1.0e-30}"),
            pastBound: specYAML(optimizer: "{type: adam, epsilon: 1.0e-31}"), message: "(the f32 range)"),
        BoundCase(
            path: "data.bias", atBound: specYAML(data: synthetic(", bias: 1.0e30")), pastBound: specYAML(data: synthetic(", bias: 1.0e31")),
            message: "(the f32 range)"),
        // Products: one dense variable, all variables, one step's activations, synthetic data.
        BoundCase(
            path: "model.hidden[0]", atBound: specYAML(model: "{type: mlp, hidden: [16384]}", data: "{format: libsvm, train: a, features: 16384}"),
            pastBound: specYAML(model: "{type: mlp, hidden: [16384]}", data: "{format: libsvm, train: a, features: 16385}"),
            message: "dense_0/kernel would hold 16385 × 16384 = 268451840 parameters; must be ≤ 268435456 (the per-layer parameter limit)"),
        BoundCase(
            path: "model.hidden[0]", atBound: specYAML(model: "{type: mlp, hidden: [16384, 16384, 16384]}", data: "{format: libsvm, train: a, features: 16384}"),
            pastBound: specYAML(model: "{type: mlp, hidden: [16384, 16384, 16384, 16384]}", data: "{format: libsvm, train: a, features: 16384}"),
            message: "(the model-size limit)"),
        BoundCase(
            path: "data.batch_size", atBound: specYAML(data: "{format: libsvm, train: a, features: 65536, batch_size: 16384}"),
            pastBound: specYAML(data: "{format: libsvm, train: a, features: 65536, batch_size: 65536}"),
            message: "(the per-step activation limit)"),
        BoundCase(
            path: "data.samples", atBound: specYAML(data: synthetic(", samples: 16384", weights: list(65536) { _ in "1" })),
            pastBound: specYAML(data: synthetic(", samples: 16385", weights: list(65536) { _ in "1" })),
            message: "16385 samples × 65536 features = 1073807360 values; must be ≤ 1073741824 (the synthetic data limit)"),
    ]
}

@Suite struct JobSpecLimitsTests {
    @Test(arguments: BoundSpecs.cases)
    func aSpecAtTheBoundIsAccepted(_ c: BoundCase) throws {
        #expect(throws: Never.self, "\(c.path) at its bound") { _ = try JobSpecParser.parse(yaml: c.atBound) }
    }

    @Test(arguments: BoundSpecs.cases)
    func aSpecPastTheBoundIsRefusedNamingKeyAndBound(_ c: BoundCase) throws {
        let error = try #require(specError(c.pastBound), "\(c.path) one past its bound was accepted")
        #expect(CoordinatorError(error).code == .invalidSpec)  // what the coordinator answers with
        #expect(error.path == c.path, "message was: \(error)")
        #expect(error.message.contains(c.message), "message was: \(error)")
    }

    @Test func theIssueExampleMessage() {
        #expect(
            specError(specYAML(data: BoundSpecs.synthetic(", batch_size: 2147483648")))?.description
                == "data.batch_size: must be ≤ 65536 (the per-step batch limit), got 2147483648")
    }

    /// Every bad spec named in issue 12, through the parser (what SubmitJob runs): refused with the key and the bound.
    static let hostile: [(yaml: String, path: String, message: String)] = [
        (specYAML(data: BoundSpecs.synthetic(", batch_size: 2147483648")), "data.batch_size", "(the per-step batch limit)"),
        (specYAML(training: "{epochs: 2147483648}"), "training.epochs", "(the epoch limit)"),
        (specYAML(training: "{max_steps: 1, checkpoint: {keep: 2147483648}}"), "training.checkpoint.keep", "(the kept-checkpoint limit)"),
        (specYAML(model: "{type: mlp, hidden: [2147483648]}"), "model.hidden[0]", "(the layer-width limit)"),
        (specYAML(model: "{type: mlp, hidden: [1000000, 1000000]}"), "model.hidden[0]", "(the layer-width limit)"),
        (specYAML(model: "{type: softmax, classes: 2147483648}"), "model.classes", "(the class-count limit)"),
        (specYAML(training: "{mode: sync, replicas_to_aggregate: 9223372036854775807, backup_workers: 1}"),
         "training.replicas_to_aggregate", "(the workers-per-job limit)"),
        (specYAML(training: "{mode: sync, replicas_to_aggregate: 1, backup_workers: 9223372036854775807}"),
         "training.backup_workers", "(the workers-per-job limit)"),
        (specYAML(training: "{mode: sync, backup_workers: 1}", cluster: "{workers: -9223372036854775808}"), "cluster.workers", "must be > 0"),
        (specYAML(cluster: "{workers: 1000000000000}"), "cluster.workers", "(the workers-per-job limit)"),
        (specYAML(model: "{type: mlp, hidden: [65536]}", data: "{format: libsvm, train: a, features: 16777216}"),
         "model.hidden[0]", "(the per-layer parameter limit)"),
        (specYAML(optimizer: "{learning_rate: .nan}"), "optimizer.learning_rate", "expected a number"),
        (specYAML(optimizer: "{learning_rate: .inf}"), "optimizer.learning_rate", "expected a number"),
        (specYAML(data: "{format: csv, train: /etc/passwd, label: root}"), "data.train", "relative to workerd's --data-root"),
        (specYAML(data: "{format: csv, train: ../../x, label: root}"), "data.train", "\"..\" is not allowed"),
        (specYAML(data: "{format: csv, train: a/../../x, label: root}"), "data.train", "\"..\" is not allowed"),
        (specYAML(data: "{format: idx, train: a, train_labels: /b}"), "data.train_labels", "relative to workerd's --data-root"),
        (specYAML(data: "{format: csv, train: a.csv, test: x/../../../t.csv, label: y}"), "data.test", "\"..\" is not allowed"),
        (specYAML(data: "{format: csv, train: \"a\\0b\", label: y}"), "data.train", "NUL"),
        (specYAML(data: "{format: csv, train: a//b, label: y}"), "data.train", "empty path component"),
        (specYAML(data: "{format: csv, train: \"\", label: y}"), "data.train", "must not be empty"),
        (specYAML(extra: "init_from: ../../etc/shadow.safetensors"), "init_from", "\"..\" is not allowed"),
        (specYAML(extra: "init_from: /exports/../etc/x.safetensors"), "init_from", "\"..\" is not allowed"),
        (specYAML(extra: "init_from: /exports/model.bin"), "init_from", "or the path of an exported model"),
        (specYAML(extra: "init_from: \"/exports/a\\0.safetensors\""), "init_from", "NUL"),
        (specYAML(model: "{type: wide_deep, wide_deep: {categorical: [\"\"]}}", data: BoundSpecs.csv), "model.wide_deep.categorical[0]", "must not be empty"),
    ]

    @Test func everyBadSpecOfTheIssueIsRefusedWithItsKey() throws {
        for (yaml, path, message) in Self.hostile {
            let error = try #require(specError(yaml), "accepted: \(yaml)")
            #expect(error.path == path, "message was: \(error)")
            #expect(error.message.contains(message), "message was: \(error)")
        }
    }

    @Test func absoluteInitFromStaysAllowed() throws {
        let spec = try JobSpecParser.parse(yaml: specYAML(extra: "init_from: /var/lib/tessera/exports/model.safetensors"))
        #expect(spec.initFrom == "/var/lib/tessera/exports/model.safetensors")
    }

    @Test func submitRefusesASpecBuiltPastTheParser() throws {
        // A spec that never went through YAML (protobuf, a stored record): submit validates it again.
        var t = try TestCluster()
        var spec = asyncSpec(maxSteps: 10)
        spec.data.batchSize = 1 << 31
        #expect(throws: CoordinatorError(.invalidSpec, "must be ≤ 65536 (the per-step batch limit), got 2147483648", path: "data.batch_size")) {
            _ = try t.c.submit(spec, now: 1)
        }
        spec = asyncSpec(maxSteps: 10)
        spec.cluster.workers = 1_000_000_000_000
        #expect(throws: CoordinatorError.self) { _ = try t.c.submit(spec, now: 1) }
        spec = asyncSpec(maxSteps: 10)
        spec.optimizer.learningRate = .nan
        let error = #expect(throws: CoordinatorError.self) { _ = try t.c.submit(spec, now: 1) }
        #expect(error?.path == "optimizer.learning_rate")
        spec = asyncSpec(maxSteps: 10)
        spec.training = TrainingSpec(mode: .sync, replicasToAggregate: .max, backupWorkers: .max, maxSteps: 10)
        let sum = #expect(throws: CoordinatorError.self) { _ = try t.c.submit(spec, now: 1) }
        #expect(sum?.path == "cluster.workers" || sum?.path == "training.replicas_to_aggregate")
        #expect(t.c.jobs().isEmpty)
    }

    @Test func everyBoundFitsA32BitProtobufField() {
        // Rendering to protobuf narrows these to int32: a valid spec must never need clamping.
        let int32Fields: [JobSpecLimits.Bound] = [
            JobSpecLimits.batchSize, JobSpecLimits.features, JobSpecLimits.layerWidth, JobSpecLimits.classes, JobSpecLimits.filters,
            JobSpecLimits.kernelSize, JobSpecLimits.poolSize, JobSpecLimits.imageDimension, JobSpecLimits.embeddingDim,
            JobSpecLimits.workers, JobSpecLimits.backupWorkers, JobSpecLimits.psShards, JobSpecLimits.maxStaleness,
            JobSpecLimits.epochs, JobSpecLimits.checkpointsKept,
        ]
        for bound in int32Fields { #expect(bound.upper <= Int(Int32.max), "\(bound.name)") }
        #expect(JobSpecLimits.int32(1 << 31) == .max)
        #expect(JobSpecLimits.int32(-(1 << 40)) == .min)
        #expect(JobSpecLimits.int32(65536) == 65536)
    }

    @Test func theDocsListEveryBound() throws {
        let text = try String(contentsOf: packageRoot().appendingPathComponent("docs/job-spec.md"), encoding: .utf8)
        let section = try #require(text.components(separatedBy: "## Limits").dropFirst().first?.components(separatedBy: "\n## ").first)
        for (key, bound) in JobSpecLimits.all {
            let row = section.split(separator: "\n").first { $0.contains("| \(key) |") || $0.contains("| `\(key)` |") }
            let line = try #require(row, "docs/job-spec.md#limits has no row for \(key)")
            #expect(line.contains(String(bound.upper)), "the row for \(key) does not show \(bound.upper): \(line)")
            #expect(line.contains(bound.name), "the row for \(key) does not name \(bound.name): \(line)")
        }
    }

    @Test func examplesStayWellInsideTheBounds() throws {
        let dir = packageRoot().appendingPathComponent("examples")
        for name in ExamplesTests.exampleFiles() {
            let spec = try JobSpecParser.parse(yaml: String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8))
            guard let estimate = spec.modelEstimate else { continue }
            #expect(estimate.parameters < JobSpecLimits.parameters.upper / 100, "\(name)")
            #expect(spec.data.batchSize * estimate.activationsPerExample < JobSpecLimits.stepActivations.upper / 100, "\(name)")
        }
    }

    @Test func hostileProgressReportsAreRefusedAndSumsSaturate() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 1_000_000))
        let bad = [
            WorkerProgress(workerStep: -1, samples: 0, loss: 1),
            WorkerProgress(workerStep: 0, samples: -5, loss: 1),
            WorkerProgress(workerStep: 0, samples: 0, loss: 1, epoch: -1),
            WorkerProgress(workerStep: 0, samples: 0, loss: 1, accuracy: 7),
            WorkerProgress(workerStep: 0, samples: 0, loss: 1, stepsPerSecond: .infinity),
        ]
        for report in bad {
            let error = #expect(throws: CoordinatorError.self) { _ = try t.c.report(id, worker: t.workers[0], progress: report, now: 4) }
            #expect(error?.code == .invalidReport)
        }
        // Two workers at Int.max each: the job's figures saturate instead of trapping.
        for w in t.workers {
            _ = try t.c.report(id, worker: w, progress: WorkerProgress(workerStep: .max, samples: .max, loss: 1), now: 5)
        }
        #expect(t.c.job(id)?.samples == .max)
        #expect(t.c.job(id)?.step == .max)
    }
}
