import Testing

@testable import Coordinator

/// `describe` of a PENDING job says what it waits for.
@Suite struct PendingReasonTests {
    @Test func aPendingJobNamesWhatItWaitsFor() throws {
        var noShards = try TestCluster(ps: 1, workers: 1)
        let needsTwo = try noShards.c.submit(asyncSpec(epochs: 1, workers: 1), now: 1).id  // ps_shards: 2
        #expect(noShards.c.pendingReason(needsTwo) == "waiting for 2 alive ps shard(s), 1 alive")

        var noWorkers = try TestCluster(ps: 2, workers: 0)
        let lonely = try noWorkers.c.submit(asyncSpec(epochs: 1, workers: 1), now: 1).id
        #expect(noWorkers.c.pendingReason(lonely) == "waiting for an alive worker")

        var busy = try TestCluster(ps: 2, workers: 1)
        let first = try busy.c.submit(asyncSpec(epochs: 1, workers: 1), now: 1).id
        let second = try busy.c.submit(asyncSpec(epochs: 1, workers: 1), now: 1).id
        #expect(busy.c.pendingReason(first) == "waiting for a worker to take its first task")
        _ = try busy.c.assignTask(worker: busy.workers[0], now: 2)
        #expect(busy.c.pendingReason(first) == "waiting for the chief to declare the model's variables")
        #expect(busy.c.pendingReason(second)?.contains("1 earlier job(s) hold them (\(first))") == true)
        _ = try busy.c.declareVariables(first, from: busy.workers[0], modelVariables)
        _ = try busy.c.placementReady(first, now: 3)
        #expect(busy.c.pendingReason(first) == nil, "a RUNNING job has no pending reason")
    }
}
