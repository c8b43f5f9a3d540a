import TensorWire
import Testing

@testable import Coordinator

/// Effective N follows the workers still training; step, stale_dropped and steps/s come from the shards.
@Suite struct ConsistencyFiguresTests {
    func syncSpec() -> JobSpec {
        JobSpec(
            name: "s", model: ModelSpec(type: .linear), data: .synthetic(weights: [1]),
            training: TrainingSpec(mode: .sync, replicasToAggregate: 2, backupWorkers: 1, epochs: 1),
            cluster: ClusterSpec(workers: 3, psShards: 2))
    }

    @Test func workersDoneTrainingLowerEffectiveReplicasAndNewWorkersRaiseIt() throws {
        var t = try TestCluster(workers: 3)
        let id = try startJob(&t, syncSpec())
        let shards = try #require(t.c.job(id)?.shards)
        #expect(t.c.job(id)?.effectiveReplicas == 2)
        // One of three done: two still train, N stays 2.
        #expect(try t.c.workerDoneTraining(id, worker: t.workers[1], now: 5).isEmpty)
        // Two done (the chief waits for its peers, so it is not finished): N drops to 1.
        #expect(try t.c.workerDoneTraining(id, worker: t.workers[0], now: 5) == [.setEffectiveReplicas(id, replicas: 1, shards: shards)])
        // Repeating it changes nothing.
        #expect(try t.c.workerDoneTraining(id, worker: t.workers[0], now: 6).isEmpty)
        // Finishing the last one ends the job.
        _ = try t.c.workerFinished(id, worker: t.workers[1], final: nil, now: 7)
        _ = try t.c.workerFinished(id, worker: t.workers[2], final: nil, now: 7)
        _ = try t.c.workerFinished(id, worker: t.workers[0], final: nil, now: 7)
        #expect(t.c.job(id)?.state == .succeeded)
    }

    @Test func aTaskHandedToANewWorkerCountsAgain() throws {
        var t = try TestCluster(workers: 4)
        let id = try startJob(&t, syncSpec())
        _ = try t.c.workerDoneTraining(id, worker: t.workers[1], now: 5)
        // workers[2] dies: its slot is vacated, one live trainer left → N = 1.
        try t.heartbeatAll(now: 8, except: [t.workers[2]])
        let down = t.c.sweep(now: 13.5)
        #expect(down.contains { if case .setEffectiveReplicas(_, 1, _) = $0 { true } else { false } })
        // A fresh worker takes the vacant slot and trains: N back to 2.
        try t.heartbeatAll(now: 14, except: [t.workers[2]])
        #expect(try t.c.assignTask(worker: t.workers[3], now: 14)?.workerIndex == 2)
        let up = t.c.sweep(now: 14.5)
        #expect(up.contains { if case .setEffectiveReplicas(_, 2, _) = $0 { true } else { false } })
        #expect(t.c.job(id)?.effectiveReplicas == 2)
    }

    @Test func shardSamplesDriveStepStaleAndRate() throws {
        var t = try TestCluster(workers: 3)
        let id = try startJob(&t, syncSpec())
        _ = try t.c.report(id, worker: t.workers[0], progress: progress(50), now: 4)
        #expect(t.c.job(id)?.step == 50)  // worker estimate until the shards report
        _ = try t.c.recordShardSample(id, ShardSample(time: 10, version: 40, staleDropped: 3), now: 10)
        #expect(t.c.job(id)?.step == 50)  // never goes back
        _ = try t.c.recordShardSample(id, ShardSample(time: 12, version: 100, staleDropped: 9), now: 12)
        let job = try #require(t.c.job(id))
        #expect(job.step == 100)
        #expect(job.staleDropped == 9)
        #expect(job.stepsPerSecond == 30)
        // Worker reports no longer override the shards' rate.
        _ = try t.c.report(id, worker: t.workers[1], progress: progress(60), now: 13)
        #expect(t.c.job(id)?.stepsPerSecond == 30)
    }

    @Test func shardVersionReachingMaxStepsStopsTheJob() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 100))
        let actions = try t.c.recordShardSample(id, ShardSample(time: 5, version: 100, staleDropped: 0), now: 5)
        #expect(actions.contains { if case .stopWorkers = $0 { true } else { false } })
        #expect(t.c.job(id)?.isStopping == true)
    }
}
