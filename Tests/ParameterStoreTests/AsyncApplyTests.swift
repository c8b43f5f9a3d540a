import ParameterStore
import TensorWire
import Testing

@Suite struct AsyncApplyTests {
    @Test func everyPushIsAppliedOnArrival() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [3])], optimizer: .sgd(1), consistency: .async)
        #expect(try push(shard, worker: 0, version: 0, [(key(0), [1, 2, 3])]) == .applied(newVersion: 1))
        #expect(try push(shard, worker: 1, version: 0, [(key(0), [1, 1, 1])]) == .applied(newVersion: 2))
        #expect(try read(shard, [key(0)]).values[0] == [-2, -3, -4])
        #expect(try read(shard, [key(0)]).version == 2)
    }

    @Test func maxStalenessDropsOldGradients() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [1])], optimizer: .sgd(1), consistency: .async(maxStaleness: 2))
        for v in 0..<3 { try push(shard, worker: 0, version: UInt64(v), [(key(0), [-1])]) }
        #expect(try push(shard, worker: 1, version: 1, [(key(0), [-1])]) == .applied(newVersion: 4))  // 3 - 1 = 2, allowed
        #expect(try push(shard, worker: 1, version: 1, [(key(0), [-100])]) == .dropped(staleBy: 3))
        #expect(try values(shard, key(0)) == [4])
        let stats = try shard.stats(jobID: 1)
        #expect(stats.staleDropped == 1 && stats.applied == 4 && stats.pushes == 5)
        #expect(errorCode { try push(shard, worker: 1, version: 5, [(key(0), [1])]) } == .futureVersion)
    }

    @Test func onlyThePushedPartitionsChange() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "a", [2], .constant(1)), wholePartition(1, "b", [2], .constant(1))], optimizer: .sgd(1), consistency: .async)
        try push(shard, worker: 0, version: 0, [(key(1), [1, 1])])
        #expect(try read(shard, [key(0), key(1)]).values == [[1, 1], [0, 0]])
    }
}
