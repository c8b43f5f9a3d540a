import Synchronization
import ParameterStore
import TensorWire
import Testing

@Suite struct CheckpointTests {
    static let adam = OptimizerConfig(kind: .adam, learningRate: 0.1)

    /// Two sync workers push deterministic gradients for `steps` versions starting at the shard's version.
    static func train(_ shard: ParameterShard, steps: Int) throws {
        for _ in 0..<steps {
            let v = try shard.version(jobID: 1)
            let g = Float(v % 5) - 2
            try push(shard, worker: 0, version: v, [(key(0), [g, 1, -g]), (key(1), [0.5])])
            try push(shard, worker: 1, version: v, [(key(0), [1, g, 2]), (key(1), [-g])])
        }
    }

    static func makeShard() throws -> ParameterShard {
        let shard = ParameterShard()
        try shard.createJob(
            jobID: 1, partitions: [wholePartition(0, "w", [3], .uniform(low: -1, high: 1)), wholePartition(1, "b", [1])],
            optimizer: adam, consistency: .sync(replicas: 2))
        return shard
    }

    @Test func restoringACheckpointContinuesExactlyLikeTheUninterruptedRun() async throws {
        let straight = try Self.makeShard()
        try Self.train(straight, steps: 10)

        let first = try Self.makeShard()
        try Self.train(first, steps: 5)
        let image = try await first.checkpoint(jobID: 1)
        #expect(image.version == 5)
        #expect(image.partitions.map(\.name) == ["w", "b"])
        #expect(Set(image.partitions[0].slots.keys) == ["m", "v"])

        let resumed = try Self.makeShard()  // a restarted psd: fresh initial values
        try resumed.restore(jobID: 1, from: image)
        try Self.train(resumed, steps: 5)
        #expect(try read(resumed, [key(0), key(1)]).values == (try read(straight, [key(0), key(1)]).values))
        #expect(try resumed.version(jobID: 1) == 10)
    }

    @Test func aCheckpointAtAFutureVersionIsTakenExactlyAtThatStepBoundary() async throws {
        let shard = try Self.makeShard()
        async let image = shard.checkpoint(jobID: 1, atVersion: 3, timeout: .seconds(600))
        while try shard.pendingCheckpoints(jobID: 1) == 0 { try await Task.sleep(for: .milliseconds(1)) }
        try Self.train(shard, steps: 6)
        let taken = try await image
        #expect(taken.version == 3)
        let reference = try Self.makeShard()
        try Self.train(reference, steps: 3)
        #expect(taken.partitions[0].values == (try values(reference, key(0))))
        await #expect(throws: StoreError.self) { try await shard.checkpoint(jobID: 1, atVersion: 2) }
    }

    @Test func aCheckpointThatIsNeverReachedTimesOut() async throws {
        let shard = try Self.makeShard()
        do {
            _ = try await shard.checkpoint(jobID: 1, atVersion: 9, timeout: .milliseconds(1))
            Issue.record("expected a timeout")
        } catch {
            #expect(error.code == .deadlineExceeded)
        }
    }

    @Test func embeddingRowsAndTheirSlotsRoundTrip() async throws {
        let spec = embeddingPartition(0, width: 2)
        let a = ParameterShard()
        try a.createJob(jobID: 1, partitions: [spec], optimizer: Self.adam, consistency: .async)
        try pushRows(a, worker: 0, version: 0, [(key(0), [7, 100], [1, 2, 3, 4])])
        let image = try await a.checkpoint(jobID: 1)
        #expect(image.partitions[0].rowKeys == [7, 100] && image.partitions[0].name == "emb0")
        let b = ParameterShard()
        try b.createJob(jobID: 1, partitions: [spec], optimizer: Self.adam, consistency: .async)
        try b.restore(jobID: 1, from: image)
        try pushRows(a, worker: 0, version: 1, [(key(0), [100], [1, 1])])
        try pushRows(b, worker: 0, version: 1, [(key(0), [100], [1, 1])])
        #expect(try await b.checkpoint(jobID: 1).partitions == (try await a.checkpoint(jobID: 1).partitions))
    }

    @Test func aMismatchedCheckpointIsRejectedAndChangesNothing() async throws {
        let shard = try Self.makeShard()
        var image = try await shard.checkpoint(jobID: 1)
        image.partitions[0].values = [1, 2]
        image.version = 40
        #expect(errorCode { try shard.restore(jobID: 1, from: image) } == .invalidArgument)
        #expect(try shard.version(jobID: 1) == 0)
    }

    @Test func pausedPushesWaitUntilResumed() async throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [1])], optimizer: .sgd(1), consistency: .async)
        try shard.setPaused(jobID: 1, for: .seconds(3600))
        #expect(shard.hasPausedJobs)
        let released = Mutex(false)
        let waiter = Task {
            await shard.waitWhilePaused(jobID: 1)
            return released.withLock { $0 }
        }
        try await Task.sleep(for: .milliseconds(50))
        released.withLock { $0 = true }
        try shard.setPaused(jobID: 1, for: nil)
        #expect(await waiter.value, "a push went through while the job was paused")
        #expect(!shard.hasPausedJobs)

        // A pause ends by itself at its limit (a lost coordinator cannot freeze the job).
        try shard.setPaused(jobID: 1, for: .milliseconds(1))
        try await Task.sleep(for: .milliseconds(5))
        await shard.waitWhilePaused(jobID: 1)
        #expect(!shard.hasPausedJobs)
    }
}
