import DataPlane
import Foundation
import JobSpec
import Logging
import ParameterStore
import Testing
import Training
import WorkerCore

/// Stream jobs through the whole step (pull → compute → push → report) against real shards in memory: the loop waits
/// for data instead of ending, stops when the coordinator says so, and a task that resumes from the shards' version
/// continues the stream exactly where the parameters stand — no batch trained twice, none skipped.
@Suite struct StreamStepLoopTests {
    /// The coordinator's part: stops the job once no worker made progress for a few reports (the stream ran dry), or
    /// at `max_steps` as the real one does.
    actor StandIn {
        let workers: Int
        private var done: Set<Int> = []
        private var idleReports = 0
        private var lastVersion: UInt64 = 0
        private(set) var stopped = false

        init(workers: Int) { self.workers = workers }

        func report(_ report: ProgressReport, from worker: Int) -> ProgressAnswer {
            if report.trainingDone { done.insert(worker) }
            if report.version <= lastVersion { idleReports += 1 } else { idleReports = 0 }
            lastVersion = max(lastVersion, report.version)
            if idleReports >= 6 { stopped = true }
            return ProgressAnswer(stop: stopped, peersFinished: done.count == workers, reason: stopped ? "the stream ran dry" : "")
        }
    }

    static let logger = Logger(label: "stream-loop") { _ in SwiftLogNoOpLogHandler() }

    static func run(_ spec: JobSpec, root: URL, shards: InMemoryShards?) async throws -> InMemoryShards {
        let workers = spec.cluster.workers
        let section = try #require(spec.data.stream)
        let probe = try #require(try WorkerData.loadStream(section, spec: spec, dataRoot: root.path, workerIndex: 0, workerCount: workers))
        let model = try ModelBuilder.make(spec: spec, data: probe)
        let shards = try shards ?? InMemoryShards(
            count: 1, variables: model.variables, optimizer: OptimizerConfig(spec: spec.optimizer),
            consistency: ConsistencyConfig(spec: spec.training), seed: spec.training.seed)
        let coordinator = StandIn(workers: workers)
        _ = try await withThrowingTaskGroup(of: StepLoop.Outcome.self) { group in
            for w in 0..<workers {
                group.addTask {
                    let data = try #require(try WorkerData.loadStream(section, spec: spec, dataRoot: root.path, workerIndex: w, workerCount: workers))
                    let client = try shards.client(worker: UInt32(w))
                    defer { client.close() }
                    let loop = StepLoop(
                        spec: spec, data: data, model: try ModelBuilder.make(spec: spec, data: data), shards: client,
                        backend: try ComputeDevice.backend(named: "cpu", threads: 1), isChief: w == 0, workerCount: workers,
                        reportInterval: .milliseconds(10), logger: logger)
                    return try await loop.run { try await coordinator.report($0, from: w) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        return shards
    }

    static func spec(maxSteps: Int?, mode: String = "sync") throws -> JobSpec {
        try JobSpecParser.parse(yaml: """
            name: stream
            model: {type: logistic}
            data: {format: csv, label: y, normalize: none, batch_size: 8, stream: {dir: s, poll_ms: 10}}
            optimizer: {type: sgd, learning_rate: 0.1}
            training: {mode: \(mode), seed: 5\(maxSteps.map { ", max_steps: \($0)" } ?? "")}
            cluster: {workers: 2}
            """)
    }

    /// A data root whose stream holds 960 rows in six files: 60 steps of 2 workers × 8 rows, no more.
    static func streamRoot() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("stream-loop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("s"), withIntermediateDirectories: true)
        for f in 0..<6 {
            let rows = (0..<160).map { i -> String in
                let x = Double((f * 160 + i) % 17) / 17 - 0.5
                return "\(x),\(x > 0 ? 1 : 0)"
            }
            try Data(("x,y\n" + rows.joined(separator: "\n") + "\n").utf8).write(to: root.appendingPathComponent("s/\(f).csv"))
        }
        return root
    }

    @Test func asyncWorkersTrainEveryBatchOfTheStreamOnce() async throws {
        let root = try Self.streamRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let shards = try await Self.run(try Self.spec(maxSteps: nil, mode: "async"), root: root, shards: nil)
        // Async: every push applies, so the version counts every batch either worker trained: 120, each once.
        #expect(try shards.versions() == [120])
    }

    @Test func aResumedStreamJobTrainsEachRemainingBatchOnce() async throws {
        let root = try Self.streamRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let shards = try await Self.run(try Self.spec(maxSteps: 30), root: root, shards: nil)
        #expect(try shards.versions() == [30])
        // The job comes back without max_steps: it continues at batch 30 and trains until the stream runs dry. Had it
        // started over it would reach 90; had it skipped rows it would stop short of 60.
        _ = try await Self.run(try Self.spec(maxSteps: nil), root: root, shards: shards)
        #expect(try shards.versions() == [60])
    }
}
