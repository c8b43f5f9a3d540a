import TensorWire
import Testing

@testable import Coordinator

/// The coordinator decides when checkpoints are taken: every N steps or seconds, one at a time per job, a failed one
/// retried with backoff, the final one after the one in flight. No sockets: the test plays the runtime.
@Suite struct CheckpointScheduleTests {
    func spec(everySteps: Int? = nil, everySeconds: Double? = nil, keep: Int = 2) -> JobSpec {
        JobSpec(
            name: "ckpt", model: ModelSpec(type: .linear), data: .synthetic(weights: [2], bias: 10),
            training: TrainingSpec(
                mode: .async, epochs: nil, maxSteps: 10_000,
                checkpoint: CheckpointSpec(everySteps: everySteps, everySeconds: everySeconds, keep: keep)),
            cluster: ClusterSpec(workers: 2, psShards: 2))
    }

    /// The checkpoint actions of a tick.
    func checkpoints(_ actions: [CoordinatorAction]) -> [CheckpointReason] {
        actions.compactMap { if case .checkpoint(_, let reason) = $0 { reason } else { nil } }
    }

    /// The checkpoints a tick at `now` starts, every node having heartbeated just before.
    func tick(_ t: inout TestCluster, _ now: Double) throws -> [CheckpointReason] {
        try t.heartbeatAll(now: now)
        return checkpoints(t.c.tick(now: now))
    }

    @Test func aCheckpointFallsDueEveryNSteps() throws {
        var t = try TestCluster()
        let id = try startJob(&t, spec(everySteps: 100))
        #expect(try tick(&t, 4).isEmpty)
        // Half an interval ahead (sync checkpoints land on the next multiple of 100).
        _ = try t.c.recordShardVersion(id, version: 49, now: 5)
        #expect(try tick(&t, 5).isEmpty)
        _ = try t.c.recordShardVersion(id, version: 50, now: 6)
        #expect(try tick(&t, 6) == [.everySteps])
        #expect(t.c.checkpointInFlight(id))
        #expect(Coordinator.checkpointStep(for: try #require(t.c.job(id)), reason: .everySteps, versions: [50, 57], attempt: 1) == 100)

        // Committed at step 100: recorded, older ones pruned, the next one due at 150.
        let done = t.c.checkpointFinished(id, reason: .everySteps, outcome: .committed(version: 100, path: "m-100.json"), now: 8)
        #expect(done == [.pruneCheckpoints(id, keep: 2)])
        #expect(t.c.job(id)?.checkpoint == CheckpointInfo(version: 100, path: "m-100.json"))
        #expect(!t.c.checkpointInFlight(id))
        _ = try t.c.recordShardVersion(id, version: 149, now: 9)
        #expect(try tick(&t, 9).isEmpty)
        _ = try t.c.recordShardVersion(id, version: 150, now: 10)
        #expect(try tick(&t, 10) == [.everySteps])
    }

    @Test func everySecondsCountsFromTheStartThenFromTheLastCheckpoint() throws {
        var t = try TestCluster()
        let id = try startJob(&t, spec(everySeconds: 30))  // running since t = 3
        #expect(try tick(&t, 32).isEmpty)
        #expect(try tick(&t, 33) == [.everySeconds])
        _ = t.c.checkpointFinished(id, reason: .everySeconds, outcome: .committed(version: 7, path: "m-7.json"), now: 35)
        #expect(try tick(&t, 64).isEmpty)
        #expect(try tick(&t, 65) == [.everySeconds])
    }

    @Test func aFailedCheckpointIsRetriedWithBackoff() throws {
        var t = try TestCluster()
        let id = try startJob(&t, spec(everySteps: 10))
        _ = try t.c.recordShardVersion(id, version: 20, now: 4)
        #expect(try tick(&t, 4) == [.everySteps])
        // Fails at t = 5: not again before 10, then 10 s after the second failure, 20 s after the third.
        #expect(t.c.checkpointFinished(id, reason: .everySteps, outcome: .failed("shard down"), now: 5).isEmpty)
        #expect(try tick(&t, 9.9).isEmpty)
        #expect(try tick(&t, 10) == [.everySteps])
        _ = t.c.checkpointFinished(id, reason: .everySteps, outcome: .failed("shard down"), now: 11)
        #expect(try tick(&t, 20.9).isEmpty)
        #expect(try tick(&t, 21) == [.everySteps])
        _ = t.c.checkpointFinished(id, reason: .everySteps, outcome: .failed("shard down"), now: 22)
        #expect(try tick(&t, 41.9).isEmpty)
        #expect(try tick(&t, 42) == [.everySteps])
        #expect(CheckpointSchedule.retryDelay(failures: 9) == CheckpointSchedule.maxRetryDelay)
        // A success clears the backoff.
        _ = t.c.checkpointFinished(id, reason: .everySteps, outcome: .committed(version: 20, path: "m-20.json"), now: 43)
        _ = try t.c.recordShardVersion(id, version: 25, now: 44)
        #expect(try tick(&t, 44) == [.everySteps])
    }

    @Test func onlyOneCheckpointPerJobIsInFlight() throws {
        var t = try TestCluster()
        let id = try startJob(&t, spec(everySteps: 10))
        _ = try t.c.recordShardVersion(id, version: 20, now: 4)
        #expect(try tick(&t, 4) == [.everySteps])
        #expect(try tick(&t, 5).isEmpty)
        #expect(throws: CoordinatorError.self) { try t.c.beginCheckpoint(id, reason: .requested) }
        do {
            _ = try t.c.beginCheckpoint(id, reason: .requested)
        } catch {
            #expect(error.code == .busy && error.message == "a checkpoint of \(id) is already being taken")
        }
        // Once it ended, a requested one may start; meanwhile the scheduler waits.
        _ = t.c.checkpointFinished(id, reason: .everySteps, outcome: .committed(version: 20, path: "m-20.json"), now: 6)
        #expect(try t.c.beginCheckpoint(id, reason: .requested).id == id)
        _ = try t.c.recordShardVersion(id, version: 40, now: 7)
        #expect(try tick(&t, 7).isEmpty)
    }

    @Test func theFinalCheckpointWaitsForTheOneInFlight() throws {
        var t = try TestCluster()
        let id = try startJob(&t, spec(everySteps: 10))
        _ = try t.c.recordShardVersion(id, version: 20, now: 4)
        #expect(try tick(&t, 4) == [.everySteps])
        _ = try t.c.workerFinished(id, worker: t.workers[0], final: nil, now: 5)
        let ended = try t.c.workerFinished(id, worker: t.workers[1], final: nil, now: 5)
        #expect(t.c.job(id)?.state == .succeeded)
        #expect(checkpoints(ended).isEmpty)  // the periodic one is still being taken
        let after = t.c.checkpointFinished(id, reason: .everySteps, outcome: .committed(version: 24, path: "m-24.json"), now: 6)
        #expect(after == [.pruneCheckpoints(id, keep: 2), .checkpoint(id, reason: .final)])
        #expect(t.c.checkpointFinished(id, reason: .final, outcome: .committed(version: 25, path: "m-25.json"), now: 7)
            == [.pruneCheckpoints(id, keep: 2)])
        #expect(t.c.job(id)?.checkpoint?.version == 25)
        #expect(!t.c.checkpointInFlight(id))
    }

    @Test func checkpointsNeedARunningPlacedJobThatIsNotRecovering() throws {
        var t = try TestCluster()
        let pending = try t.c.submit(spec(everySteps: 10), now: 1).id
        #expect(throws: CoordinatorError(.invalidState, "\(pending) is PENDING without placed variables: nothing to checkpoint")) {
            try t.c.beginCheckpoint(pending, reason: .requested)
        }
        #expect(throws: CoordinatorError(.unknownJob, "no job job-99")) { try t.c.beginCheckpoint(JobID(99), reason: .requested) }
        var u = try TestCluster()
        let id = try startJob(&u, spec(everySteps: 10))
        try u.c.markRecovering(id, reason: "test", now: 4)
        #expect(throws: CoordinatorError(.recovering, "\(id) is recovering; checkpoint it once it runs again")) {
            try u.c.beginCheckpoint(id, reason: .requested)
        }
    }

    @Test func theSyncCheckpointStepNeverOverflows() throws {
        var t = try TestCluster()
        let id = try startJob(&t, spec(everySteps: 100))
        let job = try #require(t.c.job(id))
        #expect(Coordinator.checkpointStep(for: job, reason: .requested, versions: [7, 7], attempt: 1) == 7)
        #expect(Coordinator.checkpointStep(for: job, reason: .requested, versions: [7, 9], attempt: 1) == 9 + 8)
        #expect(Coordinator.checkpointStep(for: job, reason: .requested, versions: [7, 9], attempt: 2) == 9 + 16)
        #expect(Coordinator.checkpointStep(for: job, reason: .everySteps, versions: [UInt64.max - 3], attempt: 1) == nil)
        #expect(Coordinator.checkpointStep(for: job, reason: .requested, versions: [UInt64.max - 3, 0], attempt: 1) == nil)
    }
}
