import ParameterStore
import TensorWire
import Testing

@Suite struct SyncAggregationTests {
    func makeShard(replicas: Int = 3, backups: Int = 1, optimizer: OptimizerConfig = .sgd(0.5)) throws -> ParameterShard {
        let shard = ParameterShard()
        try shard.createJob(
            jobID: 1, partitions: [wholePartition(0, "w", [2, 2], .constant(1)), wholePartition(1, "b", [2])],
            optimizer: optimizer, consistency: .sync(replicas: replicas, backups: backups)
        )
        return shard
    }

    @Test func nPushesOfTheAverageApplyExactlyOnce() throws {
        let shard = try makeShard()
        #expect(try push(shard, worker: 0, version: 0, [(key(0), [1, 2, 3, 4]), (key(1), [1, 1])]) == .accumulated(count: 1, needed: 3))
        #expect(try push(shard, worker: 1, version: 0, [(key(0), [2, 2, 2, 2]), (key(1), [2, 2])]) == .accumulated(count: 2, needed: 3))
        #expect(try values(shard, key(0)) == [1, 1, 1, 1])  // nothing applied before N
        #expect(try push(shard, worker: 2, version: 0, [(key(0), [3, 2, 1, 0]), (key(1), [3, 3])]) == .applied(newVersion: 1))
        // average = [2, 2, 2, 2] and [2, 2]; w = 1 - 0.5 * 2 = 0, b = 0 - 0.5 * 2 = -1.
        let r = try read(shard, [key(0), key(1)])
        #expect(r.version == 1)
        #expect(r.values == [[0, 0, 0, 0], [-1, -1]])
        let stats = try shard.stats(jobID: 1)
        #expect(stats.applied == 1 && stats.pushes == 3 && stats.accumulated == 0)
    }

    @Test func lateGradientsAreDroppedAndNeverChangeParameters() throws {
        let shard = try makeShard(replicas: 1, backups: 1)
        #expect(try push(shard, worker: 0, version: 0, [(key(0), [1, 1, 1, 1]), (key(1), [1, 1])]) == .applied(newVersion: 1))
        let before = try read(shard, [key(0), key(1)])
        #expect(try push(shard, worker: 1, version: 0, [(key(0), [9, 9, 9, 9]), (key(1), [9, 9])]) == .dropped(staleBy: 1))
        #expect(try read(shard, [key(0), key(1)]).values == before.values)
        #expect(try shard.stats(jobID: 1).staleDropped == 1)
        #expect(try shard.version(jobID: 1) == 1)
    }

    @Test func theSameWorkerTwiceForOneVersionCountsOnce() throws {
        let shard = try makeShard(replicas: 2, backups: 0)
        let g: [(PartitionKey, [Float])] = [(key(0), [1, 1, 1, 1]), (key(1), [1, 1])]
        #expect(try push(shard, worker: 7, version: 0, g) == .accumulated(count: 1, needed: 2))
        #expect(try push(shard, worker: 7, version: 0, g) == .duplicate)
        #expect(try shard.version(jobID: 1) == 0)
        #expect(try push(shard, worker: 8, version: 0, [(key(0), [3, 3, 3, 3]), (key(1), [3, 3])]) == .applied(newVersion: 1))
        #expect(try values(shard, key(0)) == [0, 0, 0, 0])  // 1 - 0.5 * avg(1, 3)
        #expect(try shard.stats(jobID: 1).duplicateDropped == 1)
    }

    @Test func aWorkerMayDeliverItsPartitionsInSeveralPushes() throws {
        let shard = try makeShard(replicas: 2, backups: 0)
        #expect(try push(shard, worker: 0, version: 0, [(key(0), [2, 2, 2, 2])]) == .accumulated(count: 0, needed: 2))
        #expect(try push(shard, worker: 1, version: 0, [(key(0), [2, 2, 2, 2]), (key(1), [2, 2])]) == .accumulated(count: 1, needed: 2))
        #expect(try push(shard, worker: 0, version: 0, [(key(1), [4, 4])]) == .applied(newVersion: 1))
        #expect(try read(shard, [key(0), key(1)]).values == [[0, 0, 0, 0], [-1.5, -1.5]])
    }

    @Test func futureVersionsAreErrorsAndChangeNothing() throws {
        let shard = try makeShard(replicas: 2)
        #expect(errorCode { try push(shard, worker: 0, version: 1, [(key(1), [1, 1])]) } == .futureVersion)
        #expect(try push(shard, worker: 0, version: 0, [(key(0), [1, 1, 1, 1]), (key(1), [1, 1])]) == .accumulated(count: 1, needed: 2))
    }

    @Test func loweringEffectiveReplicasAppliesWhatIsThere() throws {
        let shard = try makeShard(replicas: 3, backups: 0)
        try push(shard, worker: 0, version: 0, [(key(0), [2, 2, 2, 2]), (key(1), [2, 2])])
        try push(shard, worker: 1, version: 0, [(key(0), [4, 4, 4, 4]), (key(1), [4, 4])])
        try shard.setEffectiveReplicas(jobID: 1, 2)
        #expect(try shard.version(jobID: 1) == 1)
        #expect(try values(shard, key(0)) == [-0.5, -0.5, -0.5, -0.5])
        #expect(try shard.stats(jobID: 1).effectiveReplicas == 2)
        #expect(try push(shard, worker: 0, version: 1, [(key(0), [1, 1, 1, 1]), (key(1), [1, 1])]) == .accumulated(count: 1, needed: 2))
        try shard.setEffectiveReplicas(jobID: 1, 3)
        #expect(try push(shard, worker: 1, version: 1, [(key(0), [1, 1, 1, 1]), (key(1), [1, 1])]) == .accumulated(count: 2, needed: 3))
        #expect(errorCode { try shard.setEffectiveReplicas(jobID: 1, 0) } == .invalidArgument)
        #expect(errorCode { try shard.setEffectiveReplicas(jobID: 1, 4) } == .invalidArgument)
    }

    @Test func effectiveReplicasIsOnlyForSyncJobs() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 2, partitions: [wholePartition(0, "w", [1])], optimizer: .sgd(1), consistency: .async)
        #expect(errorCode { try shard.setEffectiveReplicas(jobID: 2, 1) } == .failedPrecondition)
    }

    @Test func loadDiscardsTheAccumulationOfTheOldVersion() throws {
        let shard = try makeShard(replicas: 2, backups: 0)
        try push(shard, worker: 0, version: 0, [(key(0), [2, 2, 2, 2]), (key(1), [2, 2])])
        try load(shard, key(1), [5, 5], version: 10)
        #expect(try push(shard, worker: 0, version: 10, [(key(0), [2, 2, 2, 2]), (key(1), [2, 2])]) == .accumulated(count: 1, needed: 2))
        #expect(try shard.stats(jobID: 1).accumulated == 1)
    }
}
