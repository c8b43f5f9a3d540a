import ParameterStore
import TensorWire
import Testing

@Suite struct ShardLifecycleTests {
    let parts = [wholePartition(0, "w", [4, 3], .constant(1)), wholePartition(1, "b", [3])]

    @Test func createIsIdempotentAndRejectsADifferentDefinition() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: parts, optimizer: .sgd(0.1), consistency: .async)
        try shard.createJob(jobID: 1, partitions: parts, optimizer: .sgd(0.1), consistency: .async)
        #expect(errorCode { try shard.createJob(jobID: 1, partitions: parts, optimizer: .sgd(0.2), consistency: .async) } == .alreadyExists)
        #expect(errorCode { try shard.createJob(jobID: 1, partitions: parts, optimizer: .sgd(0.1), consistency: .sync(replicas: 2)) } == .alreadyExists)
        #expect(shard.hasJob(1))
        #expect(shard.jobIDs() == [1])
        #expect(try shard.partitions(jobID: 1) == parts)
    }

    @Test func statsDescribeThePartitions() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 3, partitions: parts, optimizer: OptimizerConfig(kind: .adam, learningRate: 0.01), consistency: .sync(replicas: 2, backups: 1))
        let stats = try shard.stats(jobID: 3)
        #expect(stats.version == 0)
        #expect(stats.mode == .sync)
        #expect(stats.effectiveReplicas == 2)
        #expect(stats.variables.map(\.key) == [key(0), key(1)])
        #expect(stats.variables[0].shape == Shape([4, 3]))
        #expect(stats.variables[0].bytes == 48)
        #expect(stats.variables[0].slotBytes == 3 * 48)  // m, v, sync sum
        #expect(shard.bytesHeld == stats.totalBytes)
        #expect(try values(shard, job: 3, key(0)) == Array(repeating: 1, count: 12))
    }

    @Test func dropFreesTheJob() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: parts, optimizer: .sgd(0.1), consistency: .async)
        #expect(shard.dropJob(jobID: 1))
        #expect(!shard.dropJob(jobID: 1))
        #expect(!shard.hasJob(1))
        #expect(shard.bytesHeld == 0)
        #expect(errorCode { _ = try shard.stats(jobID: 1) } == .notFound)
        #expect(errorCode { _ = try read(shard, [key(0)]) } == .notFound)
    }

    @Test func badDefinitionsAreInvalidArguments() {
        let shard = ParameterShard()
        let tooManyRows = PartitionSpec(variableID: 0, partition: 1, variable: VariableSpec(name: "w", shape: Shape([4, 2])), rowOffset: 2, rowCount: 3, seed: 1)
        let half = PartitionSpec.whole(variableID: 0, variable: VariableSpec(name: "h", shape: Shape([4]), dtype: .f16), seed: 1)
        let scalarRows = PartitionSpec(variableID: 0, partition: 0, variable: VariableSpec(name: "s", shape: Shape([])), rowOffset: 0, rowCount: 2, seed: 1)
        for bad in [[tooManyRows], [half], [scalarRows], [parts[0], parts[0]]] {
            #expect(errorCode { try shard.createJob(jobID: 9, partitions: bad, optimizer: .sgd(0.1), consistency: .async) } == .invalidArgument)
        }
        #expect(errorCode { try shard.createJob(jobID: 9, partitions: parts, optimizer: .sgd(-1), consistency: .async) } == .invalidArgument)
        #expect(errorCode { try shard.createJob(jobID: 9, partitions: parts, optimizer: .sgd(0.1), consistency: .sync(replicas: 0)) } == .invalidArgument)
        let decay = OptimizerConfig(kind: .sgd, learningRate: 0.1, schedule: .exponentialDecay(decaySteps: 0, decayRate: 0.5, staircase: false))
        #expect(errorCode { try shard.createJob(jobID: 9, partitions: parts, optimizer: decay, consistency: .async) } == .invalidArgument)
        #expect(!shard.hasJob(9))
    }

    @Test func memoryLimitIsEnforced() throws {
        let shard = ParameterShard(memoryLimitBytes: 100)
        #expect(errorCode { try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [100])], optimizer: .sgd(1), consistency: .async) } == .resourceExhausted)
        try shard.createJob(jobID: 2, partitions: [wholePartition(0, "w", [20])], optimizer: .sgd(1), consistency: .async)
        #expect(errorCode { try shard.createJob(jobID: 3, partitions: [wholePartition(0, "w", [20])], optimizer: .sgd(1), consistency: .async) } == .resourceExhausted)
        shard.dropJob(jobID: 2)
        try shard.createJob(jobID: 3, partitions: [wholePartition(0, "w", [20])], optimizer: .sgd(1), consistency: .async)
    }

    @Test func loadOverwritesValuesAndSetsTheVersion() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: parts, optimizer: .sgd(0.1), consistency: .async)
        try load(shard, key(1), [7, 8, 9], version: 5)
        let r = try read(shard, [key(1), key(0)])
        #expect(r.version == 5)
        #expect(r.values[0] == [7, 8, 9])
        #expect(errorCode { try load(shard, key(1), [1, 2], version: 6) } == .invalidArgument)
        #expect(errorCode { try load(shard, key(1), [1, .nan, 2], version: 6) } == .nonFinite)
        #expect(errorCode { try load(shard, key(7), [1, 2, 3], version: 6) } == .notFound)
        #expect(try shard.version(jobID: 1) == 5)
    }
}
