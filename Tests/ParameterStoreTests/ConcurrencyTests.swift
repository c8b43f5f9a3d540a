import ParameterStore
import TensorWire
import Testing

@Suite struct ConcurrencyTests {
    @Test func asyncLosesNoUpdateUnderConcurrentPushes() async throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [64]), wholePartition(1, "b", [3])], optimizer: .sgd(1), consistency: .async)
        let workers = 8, pushesEach = 100
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<workers {
                group.addTask {
                    for _ in 0..<pushesEach {
                        let v = try shard.version(jobID: 1)
                        try push(shard, worker: UInt32(w), version: v, [(key(0), [Float](repeating: -1, count: 64)), (key(1), [-1, -1, -1])])
                    }
                }
            }
            try await group.waitForAll()
        }
        let r = try read(shard, [key(0), key(1)])
        #expect(r.version == UInt64(workers * pushesEach))
        #expect(r.values[0] == [Float](repeating: Float(workers * pushesEach), count: 64))
        #expect(r.values[1] == [Float](repeating: Float(workers * pushesEach), count: 3))
    }

    /// Workers of a sync job pull, wait for the next version and push, concurrently; backups make some pushes stale.
    @Test func syncWithConcurrentWorkersEqualsTheSerialResult() async throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [32])], optimizer: .sgd(0.5), consistency: .sync(replicas: 3, backups: 2))
        let steps: UInt64 = 40
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<5 {
                group.addTask {
                    var next: UInt64 = 0
                    while next < steps {
                        let v = try await shard.waitForVersion(jobID: 1, atLeast: next, timeout: .seconds(30))
                        guard v < steps else { break }
                        // Each step's gradient depends only on the version, so any 3 workers agree.
                        try push(shard, worker: UInt32(w), version: v, [(key(0), [Float](repeating: 0.25 * Float(v % 4 + 1), count: 32))])
                        next = v + 1
                    }
                }
            }
            try await group.waitForAll()
        }
        var expected: Float = 0
        for v in 0..<steps { expected -= 0.5 * 0.25 * Float(v % 4 + 1) }
        let r = try read(shard, [key(0)])
        #expect(r.version == steps)
        #expect(r.values[0] == [Float](repeating: expected, count: 32))
        let stats = try shard.stats(jobID: 1)
        #expect(stats.applied == steps)
        #expect(stats.pushes == stats.applied * 3 + stats.staleDropped + stats.duplicateDropped + stats.accumulatedPushesPending)
    }

    /// N distinct workers each with its own gradient, pushed concurrently per round: the average is order independent.
    @Test func syncConcurrentRoundsMatchSerialAverages() async throws {
        let workers = 4
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [8], .constant(10))], optimizer: .sgd(1), consistency: .sync(replicas: workers))
        for round in 0..<10 {
            try await withThrowingTaskGroup(of: PushOutcome.self) { group in
                for w in 0..<workers {
                    group.addTask { try push(shard, worker: UInt32(w), version: UInt64(round), [(key(0), [Float](repeating: Float(w + 1) * 0.25, count: 8))]) }
                }
                var applied = 0
                for try await outcome in group where outcome == .applied(newVersion: UInt64(round + 1)) { applied += 1 }
                #expect(applied == 1)
            }
        }
        // Average of 0.25, 0.5, 0.75, 1.0 is 0.625, exact in binary; 10 rounds.
        #expect(try values(shard, key(0)) == [Float](repeating: 10 - 6.25, count: 8))
    }
}

extension ShardJobStats {
    /// Pushes sitting in the current version's accumulator (each counted worker's pushes, one per worker here).
    var accumulatedPushesPending: UInt64 { UInt64(accumulated) }
}
