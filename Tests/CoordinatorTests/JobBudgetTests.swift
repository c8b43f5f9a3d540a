import Foundation
import TensorWire
import Testing

@testable import Coordinator

/// A coordinator whose ps nodes advertise `psLimit` bytes (0 = unknown) and workers `workerLimit`.
func budgetCluster(ps: Int = 2, psLimit: Int, workers: Int = 2, workerLimit: Int = 0) throws -> TestCluster {
    var t = try TestCluster(ps: 0, workers: 0)
    for i in 0..<ps {
        var info = NodeInfo(name: "ps-\(i)", role: .ps, address: "ps\(i):7000")
        info.memoryLimitBytes = psLimit
        t.ps.append(try t.c.register(info, now: 0).id)
    }
    for i in 0..<workers {
        var info = NodeInfo(name: "w-\(i)", role: .worker, address: "")
        info.memoryLimitBytes = workerLimit
        t.workers.append(try t.c.register(info, now: 0).id)
    }
    return t
}

/// An mlp over `features` inputs with `hidden` widths, Adam (2 slots), async, on 2 shards.
func mlpSpec(features: Int, hidden: [Int], optimizer: OptimizerType = .adam) -> JobSpec {
    JobSpec(
        name: "mlp", model: ModelSpec(type: .mlp, hidden: hidden),
        data: DataSpec(format: .libsvm, train: "a.svm", features: features), optimizer: OptimizerSpec(type: optimizer),
        training: TrainingSpec(mode: .async, maxSteps: 10), cluster: ClusterSpec(workers: 2, psShards: 2))
}

@Suite struct JobBudgetTests {
    @Test func theEstimateCountsValuesAndOptimizerSlots() throws {
        // 1000 × 1000 + 1000 + 1000 × 1 + 1 = 1,002,001 parameters; Adam keeps 2 slots: × 3 × 4 bytes.
        let spec = mlpSpec(features: 1000, hidden: [1000])
        #expect(spec.modelEstimate?.parameters == 1_002_001)
        #expect(JobBudget.estimatedShardBytes(spec) == 1_002_001 * 3 * 4)
        var sgd = spec
        sgd.optimizer.type = .sgd
        #expect(JobBudget.estimatedShardBytes(sgd) == 1_002_001 * 4)
        var sync = sgd
        sync.training = TrainingSpec(mode: .sync, replicasToAggregate: 2, maxSteps: 10)
        #expect(JobBudget.estimatedShardBytes(sync) == 1_002_001 * 2 * 4)  // + the gradient sum
        #expect(OptimizerSpec(type: .rmsprop, momentum: 0).slotCount == 1)
        #expect(OptimizerSpec(type: .rmsprop).slotCount == 2)
    }

    @Test func aJobThatDoesNotFitTheShardsIsRefusedNamingNeedAndRoom() throws {
        // ~12 MB needed, 2 × 4 MiB advertised.
        var t = try budgetCluster(psLimit: 4 << 20)
        let error = #expect(throws: CoordinatorError.self) { _ = try t.c.submit(mlpSpec(features: 1000, hidden: [1000]), now: 1) }
        #expect(error?.code == .resourceExhausted)
        #expect(
            error?.message
                == "job needs ~11.5 MiB of shard memory (variables × 3: values + 2 adam slots), the 2 alive shards have 8 MiB free of 8 MiB (psd --memory-limit)")
        #expect(t.c.jobs().isEmpty)
        // The same job fits 2 × 8 MiB.
        var roomy = try budgetCluster(psLimit: 8 << 20)
        #expect(throws: Never.self) { _ = try roomy.c.submit(mlpSpec(features: 1000, hidden: [1000]), now: 1) }
    }

    @Test func shardsWithoutALimitAreNeverChecked() throws {
        var t = try budgetCluster(psLimit: 0)
        #expect(throws: Never.self) { _ = try t.c.submit(mlpSpec(features: 4096, hidden: [4096]), now: 1) }
    }

    @Test func placedJobsReserveMemoryOnTheirShardsUntilTheyEnd() throws {
        var t = try budgetCluster(psLimit: 16 << 20)
        let first = try t.c.submit(mlpSpec(features: 1000, hidden: [1000]), now: 1).id
        _ = try t.c.assignTask(worker: t.workers[0], now: 2)
        let variables = try #require(t.c.job(first)?.spec.modelEstimate?.variableSpecs)
        let placement = try t.c.declareVariables(first, from: t.workers[0], variables)
        let reserved = t.ps.map { t.c.memoryReservedBytes(on: $0) }
        #expect(reserved.reduce(0, +) == 1_002_001 * 3 * 4)
        #expect(reserved.allSatisfy { $0 > 0 }, "the kernel on one shard, the rest on the other: \(reserved)")
        #expect(placement.shards.count == 2)
        // A second copy fits what is left (32 MiB − 12 MB; a job reserves once it is placed) …
        _ = try t.c.submit(mlpSpec(features: 1000, hidden: [1000]), now: 3)
        // … but a third large job does not.
        let error = #expect(throws: CoordinatorError.self) { _ = try t.c.submit(mlpSpec(features: 2000, hidden: [1000]), now: 3) }
        #expect(error?.code == .resourceExhausted)
        #expect(error?.message.contains("free of 32 MiB (psd --memory-limit)") == true, "\(error?.message ?? "")")
        // Cancelling the first frees its shards.
        _ = try t.c.cancel(first, now: 4)
        #expect(t.ps.allSatisfy { t.c.memoryReservedBytes(on: $0) == 0 })
        #expect(throws: Never.self) { _ = try t.c.submit(mlpSpec(features: 2000, hidden: [1000]), now: 5) }
    }

    @Test func declaredVariablesThatDoNotFitFailThePlacement() throws {
        // A registered model type has no estimate at submit: the exact need is checked when the chief declares.
        var t = try budgetCluster(psLimit: 1 << 20)
        var spec = asyncSpec(maxSteps: 10)
        spec.model = ModelSpec(type: try #require(ModelType(rawValue: "big_custom")))
        var info = NodeInfo(name: "w-custom", role: .worker, address: "", models: ["big_custom"])
        info.memoryLimitBytes = 0
        let worker = try t.c.register(info, now: 0).id
        let id = try t.c.submit(spec, now: 1).id
        #expect(try t.c.assignTask(worker: worker, now: 2)?.jobID == id)
        let big = [VariableSpec(name: "w", shape: Shape([1000, 1000]))]  // sgd: 4 MB of values > 2 × 1 MiB
        let error = #expect(throws: CoordinatorError.self) { _ = try t.c.declareVariables(id, from: worker, big) }
        #expect(error?.code == .resourceExhausted)
        #expect(error?.message.contains("from the declared variables), the 2 shards it may use have 2 MiB free of 2 MiB (psd --memory-limit)") == true, "\(error?.message ?? "")")
        #expect(t.c.job(id)?.placement == nil)
        // What fits is placed.
        #expect(throws: Never.self) { _ = try t.c.declareVariables(id, from: worker, [VariableSpec(name: "w", shape: Shape([100, 100]))]) }
    }

    @Test func placementPutsPartitionsWhereThereIsRoom() throws {
        let shards = (1...2).map { ShardTarget(nodeID: NodeID(UInt64($0)), address: "ps\($0):7000") }
        let vars = [VariableSpec(name: "a", shape: Shape([100])), VariableSpec(name: "b", shape: Shape([100]))]
        // Shard 2 has far more room: both small variables go there.
        let p = try Placement.plan(variables: vars, shards: shards, roomBytes: [500, 100_000])
        #expect(p.partitions.allSatisfy { $0.shard.nodeID == NodeID(2) })
        // Equal room: balanced as before.
        let q = try Placement.plan(variables: vars, shards: shards, roomBytes: [100_000, 100_000])
        #expect(Set(q.partitions.map(\.shard.nodeID)).count == 2)
    }

    @Test func declaredVariablesAreHeldToTheParameterLimits() throws {
        let shards = [ShardTarget(nodeID: NodeID(1), address: "ps:1")]
        let huge = [VariableSpec(name: "w", shape: Shape([1 << 15, 1 << 14]))]  // 2^29 > the per-layer limit
        let error = #expect(throws: CoordinatorError.self) { _ = try Placement.plan(variables: huge, shards: shards) }
        #expect(error?.code == .resourceExhausted)
        #expect(error?.message.contains("(the per-layer parameter limit)") == true)
        let zero = [VariableSpec(name: "z", shape: Shape([0, 1 << 62, 1 << 62]))]
        #expect(throws: CoordinatorError.self) { _ = try Placement.plan(variables: zero, shards: shards) }
        // Many tables at the vocabulary limit pass the model-size limit in total.
        let tables = (0..<20).map { VariableSpec(name: "e\($0)", shape: Shape([1 << 26, 1]), kind: .embedding) }
        let total = #expect(throws: CoordinatorError.self) { _ = try Placement.plan(variables: tables, shards: shards) }
        #expect(total?.message.contains("(the model-size limit)") == true)
    }

    @Test func syntheticDataOverEveryWorkersLimitIsRefused() throws {
        // 100,000 samples × 100 features × 4 bytes = 40 MB; workers accept 16 MiB.
        var t = try budgetCluster(psLimit: 0, workerLimit: 16 << 20)
        var spec = asyncSpec(maxSteps: 10)
        spec.data = .synthetic(weights: [Float](repeating: 1, count: 100), samples: 100_000)
        let error = #expect(throws: CoordinatorError.self) { _ = try t.c.submit(spec, now: 1) }
        #expect(error?.code == .resourceExhausted)
        #expect(error?.path == "data.samples")
        #expect(error?.message.contains("every alive worker accepts at most 16 MiB (workerd --max-data-bytes)") == true, "\(error?.message ?? "")")
        spec.data = .synthetic(weights: [Float](repeating: 1, count: 100), samples: 10_000)
        #expect(throws: Never.self) { _ = try t.c.submit(spec, now: 1) }
    }

    @Test func bytesAreDescribedForPeople() {
        #expect(JobBudget.describe(bytes: 512) == "512 B")
        #expect(JobBudget.describe(bytes: 300 << 20) == "300 MiB")
        #expect(JobBudget.describe(bytes: Int(1.2 * Double(1 << 30))) == "1.2 GiB")
        #expect(JobBudget.describe(bytes: .max) == "8 EiB")
    }
}
