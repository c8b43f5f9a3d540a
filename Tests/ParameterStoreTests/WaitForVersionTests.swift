import ParameterStore
import TensorWire
import Testing

@Suite struct WaitForVersionTests {
    func makeShard() throws -> ParameterShard {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [2])], optimizer: .sgd(1), consistency: .sync(replicas: 2))
        return shard
    }

    @Test func returnsAtOnceWhenTheVersionExists() async throws {
        let shard = try makeShard()
        #expect(try await shard.waitForVersion(jobID: 1, atLeast: 0, timeout: .seconds(5)) == 0)
    }

    @Test func wakesWhenAnUpdateIsApplied() async throws {
        let shard = try makeShard()
        async let woken = shard.waitForVersion(jobID: 1, atLeast: 1, timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(20))
        try push(shard, worker: 0, version: 0, [(key(0), [1, 1])])
        try push(shard, worker: 1, version: 0, [(key(0), [1, 1])])
        #expect(try await woken == 1)
        #expect(try shard.stats(jobID: 1).waiting == 0)
    }

    @Test func timesOutWithDeadlineExceeded() async throws {
        let shard = try makeShard()
        let clock = ContinuousClock()
        let start = clock.now
        let waiter = Task { try await shard.waitForVersion(jobID: 1, atLeast: 1, timeout: .milliseconds(50)) }
        #expect(await codeOf(waiter) == .deadlineExceeded)
        #expect(clock.now - start >= .milliseconds(50))
        #expect(try shard.stats(jobID: 1).waiting == 0)
    }

    @Test func droppingTheJobCancelsWaiters() async throws {
        let shard = try makeShard()
        let waiter = Task { try await shard.waitForVersion(jobID: 1, atLeast: 3, timeout: .seconds(30)) }
        while (try? shard.stats(jobID: 1).waiting) != 1 { try await Task.sleep(for: .milliseconds(5)) }
        shard.dropJob(jobID: 1)
        #expect(await codeOf(waiter) == .cancelled)
    }

    @Test func cancellingTheTaskCancelsTheWait() async throws {
        let shard = try makeShard()
        let waiter = Task { try await shard.waitForVersion(jobID: 1, atLeast: 3, timeout: .seconds(30)) }
        while (try? shard.stats(jobID: 1).waiting) != 1 { try await Task.sleep(for: .milliseconds(5)) }
        waiter.cancel()
        #expect(await codeOf(waiter) == .cancelled)
        #expect(try shard.stats(jobID: 1).waiting == 0)
    }

    @Test func loadWakesWaiters() async throws {
        let shard = try makeShard()
        async let woken = shard.waitForVersion(jobID: 1, atLeast: 4, timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(20))
        try load(shard, key(0), [1, 2], version: 5)
        #expect(try await woken == 5)
    }

    @Test func unknownJobIsNotFound() async {
        let shard = ParameterShard()
        await #expect(throws: StoreError.self) { _ = try await shard.waitForVersion(jobID: 8, atLeast: 0, timeout: .seconds(1)) }
    }

    private func codeOf(_ task: Task<UInt64, any Error>) async -> StoreError.Code? {
        switch await task.result {
        case .success: nil
        case .failure(let e): (e as? StoreError)?.code
        }
    }
}
