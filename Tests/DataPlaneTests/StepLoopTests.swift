import DataPlane
import Foundation
import JobSpec
import Logging
import ParameterStore
import Testing
import Training
import WorkerCore

/// Workers' `StepLoop`s train against real shards through in-memory channels, with a stand-in for the coordinator's
/// answers: the whole step (pull → compute → push → report) without a socket, checked as a user would — the model
/// learned, the job ran the steps it was given, a worker that comes back continues where the job stood.
@Suite struct StepLoopTests {
    /// The coordinator's part in a job's end: a chief that is done waits until every worker said it is done.
    actor CoordinatorStandIn {
        let workers: Int
        private(set) var reports: [Int: [ProgressReport]] = [:]
        private var done: Set<Int> = []

        init(workers: Int) { self.workers = workers }

        func report(_ report: ProgressReport, from worker: Int) -> ProgressAnswer {
            reports[worker, default: []].append(report)
            if report.trainingDone { done.insert(worker) }
            return ProgressAnswer(peersFinished: done.count == workers)
        }
    }

    static let logger = Logger(label: "step-loop") { _ in SwiftLogNoOpLogHandler() }

    /// The breast-cancer CSV shipped under examples/data (or TESSERA_DATA_ROOT's copy).
    static var dataRoot: String {
        if let root = ProcessInfo.processInfo.environment["TESSERA_DATA_ROOT"],
            FileManager.default.fileExists(atPath: root + "/breast_cancer/breast_cancer.csv")
        {
            return root
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/data").path
    }

    /// Runs `workers` step loops of `spec` against `shards` (created for it when nil) and returns the shards and the reports.
    static func train(_ spec: JobSpec, shards given: InMemoryShards? = nil) async throws -> (InMemoryShards, CoordinatorStandIn, [StepLoop.Outcome]) {
        let workers = spec.cluster.workers
        let probe = try WorkerData.load(spec: spec, dataRoot: dataRoot, workerIndex: 0, workerCount: workers)
        let model = try ModelBuilder.make(spec: spec, data: probe)
        let shards = try given ?? InMemoryShards(
            count: spec.cluster.psShards ?? 2, variables: model.variables, optimizer: OptimizerConfig(spec: spec.optimizer),
            consistency: ConsistencyConfig(spec: spec.training), seed: spec.training.seed)
        let coordinator = CoordinatorStandIn(workers: workers)
        let outcomes = try await withThrowingTaskGroup(of: StepLoop.Outcome.self) { group in
            for w in 0..<workers {
                group.addTask {
                    let data = try WorkerData.load(spec: spec, dataRoot: dataRoot, workerIndex: w, workerCount: workers)
                    let client = try shards.client(worker: UInt32(w))
                    defer { client.close() }
                    let loop = StepLoop(
                        spec: spec, data: data, model: try ModelBuilder.make(spec: spec, data: data), shards: client,
                        backend: try ComputeDevice.backend(named: "cpu", threads: 1), isChief: w == 0, workerCount: workers,
                        reportInterval: .milliseconds(20), logger: logger)
                    return try await loop.run { try await coordinator.report($0, from: w) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        return (shards, coordinator, outcomes)
    }

    static func spec(_ yaml: String) throws -> JobSpec { try JobSpecParser.parse(yaml: yaml) }

    /// y = 2x + 10 in sync mode: two workers, two shards (the kernel on one, the bias on the other).
    static func line(mode: String = "sync", maxSteps: Int) throws -> JobSpec {
        try spec("""
            name: line
            model: {type: linear}
            data: {format: synthetic, samples: 1000, weights: [2.0], bias: 10.0, noise: 0.01, normalize: none, batch_size: 32, test_fraction: 0.2}
            optimizer: {type: sgd, learning_rate: 0.1}
            training: {mode: \(mode), max_steps: \(maxSteps), seed: 1}
            cluster: {workers: 2, ps_shards: 2}
            """)
    }

    @Test func syncWorkersLearnTheLineInExactlyMaxSteps() async throws {
        let (shards, coordinator, outcomes) = try await Self.train(try Self.line(maxSteps: 300))
        #expect(outcomes == [.finished, .finished])
        #expect(try shards.versions() == [300, 300], "max_steps 300: every shard at version 300, not one more")
        let reports = await coordinator.reports
        for w in 0..<2 {
            let mine = try #require(reports[w])
            let last = try #require(mine.last)
            #expect(last.finished && last.workerStep == 300 && last.version == 300, "sync: one step per version per worker: \(last)")
            #expect(zip(mine, mine.dropFirst()).allSatisfy { $0.version <= $1.version && $0.workerStep <= $1.workerStep })
            #expect(last.staleDropped == 0)
        }
        let evaluation = try #require(reports[0]?.last?.eval, "the chief reports the final evaluation")
        #expect(evaluation.loss < 0.01, "learned y = 2x + 10: held-out loss \(evaluation.loss)")
        #expect(reports[1]?.contains { $0.eval != nil } == false, "only the chief evaluates")
    }

    @Test func aWorkerThatComesBackContinuesWhereTheJobStood() async throws {
        let (shards, _, _) = try await Self.train(try Self.line(maxSteps: 100))
        #expect(try shards.versions() == [100, 100])
        // The same shards, a larger budget: both workers resume at version 100 instead of from the first batch.
        let (_, coordinator, outcomes) = try await Self.train(try Self.line(maxSteps: 160), shards: shards)
        #expect(outcomes == [.finished, .finished])
        #expect(try shards.versions() == [160, 160])
        let reports = await coordinator.reports
        for w in 0..<2 {
            let mine = try #require(reports[w])
            #expect(mine.first.map { $0.workerStep > 100 } == true, "first report after resuming: \(String(describing: mine.first))")
            #expect(mine.last?.workerStep == 160)
        }
    }

    /// Async without `max_staleness` runs through `StepPipeline` (the exchange beside the next step's compute); with a
    /// bound it does not. Both must push every step exactly once, count it in the reports, and learn the line.
    @Test(arguments: ["", ", max_staleness: 1000000"])
    func asyncStepsArePushedOnceWithAndWithoutThePipeline(_ bound: String) async throws {
        let spec = try Self.spec("""
            name: line-async
            model: {type: linear}
            data: {format: synthetic, samples: 1000, weights: [2.0], bias: 10.0, noise: 0.01, normalize: none, batch_size: 32, test_fraction: 0.2}
            optimizer: {type: sgd, learning_rate: 0.1}
            training: {mode: async, epochs: 8, eval_every_steps: 40, seed: 1\(bound)}
            cluster: {workers: 1, ps_shards: 2}
            """)
        let (shards, coordinator, outcomes) = try await Self.train(spec)
        #expect(outcomes == [.finished])
        let reports = try #require(await coordinator.reports[0])
        let last = try #require(reports.last)
        #expect(last.workerStep == 8 * 25, "8 epochs of 25 batches (800 training rows, batch 32): \(last.workerStep)")
        #expect(try shards.versions() == [200, 200], "every step's gradient applied once on both shards")
        #expect(last.staleDropped == 0)
        #expect(reports.filter { $0.eval != nil }.count >= 3, "evaluations every 40 versions and the final one")
        let loss = try #require(last.eval?.loss)
        #expect(loss < 0.01, "learned y = 2x + 10: held-out loss \(loss)")
    }

    @Test func asyncWorkersClassifyBreastCancer() async throws {
        let spec = try Self.spec("""
            name: cancer
            model: {type: logistic}
            data: {format: csv, train: breast_cancer/breast_cancer.csv, label: target, test_fraction: 0.3, normalize: standard, batch_size: 32, shuffle: true}
            optimizer: {type: sgd, learning_rate: 0.1}
            training: {mode: async, epochs: 20, eval_every_steps: 50, seed: 7}
            cluster: {workers: 2, ps_shards: 2}
            """)
        let (shards, coordinator, outcomes) = try await Self.train(spec)
        #expect(outcomes == [.finished, .finished])
        let reports = await coordinator.reports
        let final = try #require(reports[0]?.last?.eval?.accuracy)
        #expect(final >= 0.93, "held-out accuracy \(final)")
        #expect(try #require(reports[0]).filter { $0.eval != nil }.count >= 2, "periodic evaluations every 50 versions, and the final one")
        // Async: every push applies; the shards' versions count both workers' steps.
        let steps = (reports[0]?.last?.workerStep ?? 0) + (reports[1]?.last?.workerStep ?? 0)
        let versions = try shards.versions()
        #expect(versions.allSatisfy { Int64($0) == steps }, "versions \(versions) vs \(steps) steps pushed")
    }
}

/// A replica answers predictions from the shards while the job trains: the refresher swaps in newer parameters, the
/// answers follow the training, and after the job the served model is the final one.
@Suite struct LiveServingTests {
    @Test func predictionsFollowTheJobAsItTrains() async throws {
        let spec = try StepLoopTests.line(mode: "sync", maxSteps: 300)
        let probe = try WorkerData.load(spec: spec, dataRoot: StepLoopTests.dataRoot, workerIndex: 0, workerCount: 2)
        let model = try ModelBuilder.make(spec: spec, data: probe)
        let shards = try InMemoryShards(
            count: 2, variables: model.variables, optimizer: OptimizerConfig(spec: spec.optimizer), consistency: ConsistencyConfig(spec: spec.training),
            seed: spec.training.seed)
        let client = try shards.client(worker: 1000)
        defer { client.close() }
        let predictor = try Predictor(
            model: model, preprocessing: probe.preprocessing, parameters: try ParameterSet(variables: model.variables), version: 0, backend: CPUBackend())
        let refresher = try ParameterRefresher(shards: client, predictor: predictor, interval: .milliseconds(5), logger: StepLoopTests.logger)
        let refreshing = Task { await refresher.run() }
        let watching = Task {
            var seen: [UInt64] = []
            while !Task.isCancelled {
                seen.append(predictor.version)
                try? await Task.sleep(for: .milliseconds(5))
            }
            return seen
        }
        _ = try await StepLoopTests.train(spec, shards: shards)
        refreshing.cancel()
        let versions = await { watching.cancel(); return await watching.value }()
        #expect(zip(versions, versions.dropFirst()).allSatisfy { $0 <= $1 }, "the served version never goes back")
        #expect(try await refresher.refresh() == 300, "after the job: the final parameters")
        let (outputs, version) = try predictor.predict([.numbers([0.5])])
        #expect(version == 300 && abs(Double(outputs[0][0]) - 11) < 0.1, "y = 2 · 0.5 + 10: \(outputs)")
    }
}
