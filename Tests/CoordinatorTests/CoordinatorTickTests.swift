import Foundation
import TensorWire
import Testing

@testable import Coordinator

/// The rest of the coordinator's policy as inputs and actions: ticks (liveness, shard polls, restores), whole worker
/// reports (figures, TensorBoard scalars, totals), retention of ended jobs, and what survives a restart.
@Suite struct CoordinatorTickTests {
    func report(_ t: TestCluster, _ id: JobID, worker: Int = 0, step: Int = 10) -> WorkerReport {
        WorkerReport(
            job: id, worker: t.workers[worker], workerStep: step, samples: step * 32, train: EvaluationMetrics(loss: 0.5, accuracy: 0.75, count: 32),
            evaluation: EvaluationMetrics(loss: 0.25, accuracy: 0.875, auc: 0.9, count: 1000), shardVersion: step, staleDropped: 3,
            stepsPerSecond: 20, totalSteps: 500)
    }

    @Test func aReportRecordsFiguresAndItsTensorBoardScalars() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 1000))
        let outcome = try t.c.receive(report(t, id), now: 4)
        #expect(outcome.directive == .continue && !outcome.peersFinished)
        let job = try #require(t.c.job(id))
        #expect(job.step == 10 && job.samples == 320 && job.totalSteps == 500 && job.evaluationCount == 1000)
        #expect(job.evaluation?.accuracy == 0.875 && job.training?.loss == 0.5)
        #expect(outcome.actions.first == .writeSummaries(id, step: 10, scalars: [
            SummaryScalar("train/loss", 0.5), SummaryScalar("train/accuracy", 0.75), SummaryScalar("eval/loss", 0.25),
            SummaryScalar("eval/accuracy", 0.875), SummaryScalar("eval/auc", 0.9), SummaryScalar("worker/steps_per_second", 20),
            SummaryScalar("worker/stale_dropped", 3),
        ]))
        // A failure fails the job (no checkpoint to recover from) and tells the worker to stop.
        let failed = try t.c.receive(WorkerReport(job: id, worker: t.workers[1], failure: "out of memory"), now: 5)
        #expect(failed.directive == .stop("out of memory"))
        #expect(t.c.job(id)?.state == .failed)
        #expect(failed.actions.contains(.dropJob(id, shards: job.shards)))
        // An impossible figure is refused.
        var bad = report(t, id)
        bad.epoch = -1
        #expect(throws: CoordinatorError.self) { try t.c.receive(bad, now: 6) }
    }

    @Test func aWorkersLastReportAsksForTheShardsFiguresFirst() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 1000))
        let shards = try #require(t.c.job(id)?.shards)
        #expect(t.c.shardPolls(before: report(t, id)).isEmpty)
        var last = report(t, id)
        last.finished = true
        #expect(t.c.shardPolls(before: last) == [ShardPoll(job: id, shards: shards)])
        // The shards' figures: the highest version, the largest stale count, a damaged answer ignored.
        let figures = [ShardFigures(version: 700, staleDropped: 4, rejected: 1), ShardFigures(version: 650, staleDropped: 9, rejected: 2)]
        _ = t.c.recordShardFigures([id: figures, JobID(99): figures], now: 5)
        #expect(t.c.job(id)?.step == 700 && t.c.job(id)?.staleDropped == 9 && t.c.job(id)?.shardSample?.rejected == 3)
        _ = t.c.recordShardFigures([id: [ShardFigures(version: .max, staleDropped: 0, rejected: 0)]], now: 6)
        #expect(t.c.job(id)?.step == 700)
    }

    @Test func ticksSweepAndPollOncePerHeartbeatInterval() throws {
        var t = try TestCluster(config: CoordinatorConfig(heartbeatInterval: 2, heartbeatTimeout: 10))
        #expect(t.c.config.tickInterval == 1)
        let id = try startJob(&t, asyncSpec(maxSteps: 1000))
        let shards = try #require(t.c.job(id)?.shards)
        func polls(_ actions: [CoordinatorAction]) -> Int { actions.filter { if case .pollShards = $0 { true } else { false } }.count }
        try t.heartbeatAll(now: 10)
        #expect(t.c.tick(now: 10).contains(.pollShards([ShardPoll(job: id, shards: shards)])))
        #expect(polls(t.c.tick(now: 11)) == 0)
        #expect(polls(t.c.tick(now: 12.05)) == 1)
        #expect(polls(t.c.tick(now: 13)) == 0)
        // A late tick keeps the cadence; a clock that went back restarts it.
        #expect(polls(t.c.tick(now: 14.5)) == 1)
        #expect(polls(t.c.tick(now: 16)) == 1)
        #expect(polls(t.c.tick(now: 5)) == 1)
        // Liveness is judged in the same ticks: a silent worker is suspect, then dead (logged by the coordinator).
        let dead = t.c.tick(now: 30)
        #expect(dead.contains { if case .nodeChanged(let change) = $0 { change.to == .dead } else { false } })
    }

    @Test func succeededJobsKeepTheirVariablesOnTheShardsUpToALimit() throws {
        var config = CoordinatorConfig()
        config.retainedJobs = 2
        var t = try TestCluster(config: config)
        var ids: [JobID] = []
        var ended: [[CoordinatorAction]] = []
        for i in 0..<3 {
            let id = try startJob(&t, asyncSpec(epochs: 1))
            ids.append(id)
            _ = try t.c.workerFinished(id, worker: t.workers[0], final: nil, now: Double(10 + i))
            ended.append(try t.c.workerFinished(id, worker: t.workers[1], final: nil, now: Double(10 + i)))
        }
        let shards = try ids.map { try #require(t.c.job($0)?.shards) }
        #expect(!ended[0].contains { if case .dropJob = $0 { true } else { false } })
        #expect(!ended[1].contains { if case .dropJob = $0 { true } else { false } })
        #expect(ended[2].contains(.dropJob(ids[0], shards: shards[0])))  // the oldest of three leaves the shards
        // A deleted retained job is forgotten, then dropped from its shards; a cancelled job is dropped at once.
        let (_, deleted) = try t.c.delete(ids[2], force: false, now: 20)
        #expect(deleted == [.jobDeleted(ids[2], shards: shards[2]), .dropJob(ids[2], shards: shards[2])])
        let running = try startJob(&t, asyncSpec(epochs: 1))
        let placed = try #require(t.c.job(running)?.shards)
        #expect(try t.c.cancel(running, now: 21).contains(.dropJob(running, shards: placed)))
    }

    @Test func endedJobsPastTheRetentionLimitAreDeletedAsTheNextOneEnds() throws {
        var config = CoordinatorConfig()
        config.jobRetention = 2
        var t = try TestCluster(config: config)
        let ids = try (0..<3).map { _ in try t.c.submit(asyncSpec(epochs: 1), now: 1).id }
        #expect(try t.c.cancel(ids[0], now: 2).contains { if case .jobDeleted = $0 { true } else { false } } == false)
        _ = try t.c.cancel(ids[1], now: 3)
        let third = try t.c.cancel(ids[2], now: 4)
        #expect(third.suffix(1) == [.jobDeleted(ids[0], shards: [])])
        #expect(t.c.job(ids[0]) == nil && t.c.job(ids[2])?.state == .cancelled)
        #expect(t.c.jobCounts.cancelled == 2)
    }

    @Test func totalsAndRecoveryAfterARestart() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 1000))
        _ = try t.c.receive(report(t, id), now: 4)
        _ = t.c.checkpointFinished(id, reason: .requested, outcome: .committed(version: 10, path: "m-10.json"), now: 4)
        let stored = try roundTrip(t.c.snapshot())

        var restarted = try Coordinator(restoring: stored, config: t.c.config, now: 100)
        restarted.prepareAfterRestart(now: 100)
        let job = try #require(restarted.job(id))
        #expect(job.totalSteps == 500 && job.evaluationCount == 1000 && job.checkpoint?.version == 10)
        #expect(job.recovering == "the coordinator restarted")
        #expect(restarted.takePendingActions().isEmpty && restarted.takePendingActions().isEmpty)
        // One restore at a time; a shard that does not answer yet means another try on a later tick.
        #expect(restarted.tick(now: 101).contains(.recover(id)))
        #expect(!restarted.tick(now: 102).contains(.recover(id)))
        try restarted.recoveryFinished(id, nil, now: 103)
        #expect(restarted.tick(now: 104).contains(.recover(id)))
        try restarted.recoveryFinished(id, .checkpoint(version: 10, manifest: "m-10.json"), now: 105)
        #expect(restarted.job(id)?.recovering == nil)
        #expect(!restarted.tick(now: 106).contains(.recover(id)))
    }

    @Test func aRestartAppliesRetentionAndLeavesTheFilesToTheRuntime() throws {
        var config = CoordinatorConfig()
        config.jobRetention = 1
        var t = try TestCluster(config: CoordinatorConfig())
        let ids = try (0..<3).map { _ in try t.c.submit(asyncSpec(epochs: 1), now: 1).id }
        _ = try t.c.cancel(ids[0], now: 2)
        _ = try t.c.cancel(ids[1], now: 3)
        var restarted = try Coordinator(restoring: try roundTrip(t.c.snapshot()), config: config, now: 10)
        restarted.prepareAfterRestart(now: 10)
        #expect(restarted.job(ids[0]) == nil && restarted.job(ids[1]) != nil)
        #expect(restarted.takePendingActions() == [.jobDeleted(ids[0], shards: [])])
        #expect(restarted.takePendingActions().isEmpty)
    }

    /// A snapshot as the store gives it back: every record through JSON.
    func roundTrip(_ snapshot: CoordinatorSnapshot) throws -> CoordinatorSnapshot {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(CoordinatorSnapshot.self, from: encoder.encode(snapshot))
    }
}
