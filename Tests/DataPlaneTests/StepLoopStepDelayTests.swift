import DataPlane
import ParameterStore
import Testing
import Training
import WorkerCore

/// A `StepLoop` with a `stepDelay` (workerd `--step-delay`) still runs the job's exact budget: the delay only sleeps
/// after each step's compute and changes nothing it computes or pushes.
@Suite struct StepLoopStepDelayTests {
    @Test func delayedSyncWorkersStillRunExactlyMaxSteps() async throws {
        let spec = try StepLoopTests.line(maxSteps: 20)
        let probe = try WorkerData.load(spec: spec, dataRoot: StepLoopTests.dataRoot, workerIndex: 0, workerCount: 2)
        let model = try ModelBuilder.make(spec: spec, data: probe)
        let shards = try InMemoryShards(
            count: 2, variables: model.variables, optimizer: OptimizerConfig(spec: spec.optimizer),
            consistency: ConsistencyConfig(spec: spec.training), seed: spec.training.seed)
        let coordinator = StepLoopTests.CoordinatorStandIn(workers: 2)
        let delays: [StepDelay] = [StepDelay(.constant(ms: 1), seed: 1), StepDelay(.normal(meanMs: 2, stddevMs: 1), seed: 2)]
        let outcomes = try await withThrowingTaskGroup(of: StepLoop.Outcome.self) { group in
            for w in 0..<2 {
                group.addTask {
                    let data = try WorkerData.load(spec: spec, dataRoot: StepLoopTests.dataRoot, workerIndex: w, workerCount: 2)
                    let client = try shards.client(worker: UInt32(w))
                    defer { client.close() }
                    var loop = StepLoop(
                        spec: spec, data: data, model: try ModelBuilder.make(spec: spec, data: data), shards: client,
                        backend: try ComputeDevice.backend(named: "cpu", threads: 1), isChief: w == 0, workerCount: 2,
                        reportInterval: .milliseconds(20), logger: StepLoopTests.logger)
                    #expect(loop.stepDelay == nil, "no delay unless asked")
                    loop.stepDelay = delays[w]
                    return try await loop.run { try await coordinator.report($0, from: w) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes == [.finished, .finished])
        #expect(try shards.versions() == [20, 20])
        let reports = await coordinator.reports
        #expect(reports[0]?.last?.workerStep == 20 && reports[1]?.last?.workerStep == 20)
    }
}
