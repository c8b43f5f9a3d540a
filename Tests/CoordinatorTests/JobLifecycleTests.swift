import TensorWire
import Testing

@testable import Coordinator

/// A coordinator with `ps` ps nodes and `workers` workers registered at t = 0.
struct TestCluster {
    var c: Coordinator
    var ps: [NodeID] = []
    var workers: [NodeID] = []

    init(ps: Int = 2, workers: Int = 2, config: CoordinatorConfig = CoordinatorConfig()) throws {
        c = try Coordinator(config: config)
        for i in 0..<ps { self.ps.append(try c.register(NodeInfo(name: "ps-\(i)", role: .ps, address: "ps\(i):7000"), now: 0).id) }
        for i in 0..<workers { self.workers.append(try c.register(NodeInfo(name: "w-\(i)", role: .worker, address: ""), now: 0).id) }
    }

    /// Keeps every node alive at `now` except the listed ones.
    mutating func heartbeatAll(now: Double, except: Set<NodeID> = []) throws {
        for id in ps + workers where !except.contains(id) { _ = try c.heartbeat(id, now: now) }
    }
}

func asyncSpec(maxSteps: Int? = nil, epochs: Int? = nil, workers: Int = 2, stopAt: StopAtSpec? = nil, evalEvery: Int = 0) -> JobSpec {
    JobSpec(
        name: "lin", model: ModelSpec(type: .linear), data: .synthetic(weights: [2], bias: 10),
        training: TrainingSpec(mode: .async, epochs: epochs, maxSteps: maxSteps, evalEverySteps: evalEvery, stopAt: stopAt),
        cluster: ClusterSpec(workers: workers, psShards: 2))
}

let modelVariables = [
    VariableSpec(name: "dense_0/kernel", shape: Shape([1, 1]), initializer: .glorotUniform),
    VariableSpec(name: "dense_0/bias", shape: Shape([1])),
]

func progress(_ step: Int, loss: Double = 1, accuracy: Double? = nil) -> WorkerProgress {
    WorkerProgress(workerStep: step, samples: step * 32, loss: loss, accuracy: accuracy, epoch: 0, stepsPerSecond: 10)
}

/// Submits a job, assigns both workers, declares and readies the placement.
func startJob(_ t: inout TestCluster, _ spec: JobSpec) throws -> JobID {
    let id = try t.c.submit(spec, now: 1).id
    let a0 = try #require(try t.c.assignTask(worker: t.workers[0], now: 2))
    #expect(a0.isChief && a0.placement == nil && !a0.variablesDeclared)
    for w in t.workers.dropFirst().prefix(spec.cluster.workers - 1) { _ = try t.c.assignTask(worker: w, now: 2) }
    _ = try t.c.declareVariables(id, from: t.workers[0], modelVariables)
    _ = try t.c.placementReady(id, now: 3)
    return id
}

@Suite struct JobLifecycleTests {
    @Test func wholeLifecycleSucceedsWhenAllWorkersFinish() throws {
        var t = try TestCluster()
        let id = try t.c.submit(asyncSpec(epochs: 2), now: 1).id
        #expect(t.c.job(id)?.state == .pending)

        let a0 = try #require(try t.c.assignTask(worker: t.workers[0], now: 2))
        let a1 = try #require(try t.c.assignTask(worker: t.workers[1], now: 2))
        #expect(a0.jobID == id && a0.workerIndex == 0 && a0.isChief && a0.workerCount == 2)
        #expect(a1.workerIndex == 1 && !a1.isChief)
        #expect(try t.c.assignTask(worker: t.workers[1], now: 2.5) == a1)  // idempotent

        // Only the chief declares; the declaration is idempotent.
        #expect(throws: CoordinatorError.self) { _ = try t.c.declareVariables(id, from: t.workers[1], modelVariables) }
        let placement = try t.c.declareVariables(id, from: t.workers[0], modelVariables)
        #expect(try t.c.declareVariables(id, from: t.workers[0], modelVariables) == placement)
        #expect(Set(placement.shards.map(\.nodeID)) == Set(t.ps))
        #expect(try t.c.assignTask(worker: t.workers[1], now: 3)?.placement == nil)  // not ready yet
        #expect(try t.c.assignTask(worker: t.workers[1], now: 3)?.variablesDeclared == true)

        _ = try t.c.placementReady(id, now: 4)
        #expect(t.c.job(id)?.state == .running)
        #expect(try t.c.assignTask(worker: t.workers[1], now: 4)?.placement == placement)

        #expect(try t.c.report(id, worker: t.workers[0], progress: progress(10, loss: 4, accuracy: 0.5), now: 5) == .continue)
        #expect(try t.c.report(id, worker: t.workers[1], progress: progress(12, loss: 2, accuracy: 0.7), now: 5) == .continue)
        let running = try #require(t.c.job(id))
        #expect(running.step == 22)  // async fallback: sum of worker steps
        #expect(running.samples == 22 * 32)
        #expect(running.training?.loss == 3)
        #expect(abs((running.training?.accuracy ?? 0) - 0.6) < 1e-12)
        #expect(running.stepsPerSecond == 20)
        #expect(running.history.count == 1, "two reports in the same half second: one training point, the newer")
        _ = try t.c.recordShardVersion(id, version: 30, now: 5)
        #expect(t.c.job(id)?.step == 30)

        _ = try t.c.reportEvaluation(id, metrics: EvaluationMetrics(loss: 0.5, accuracy: 0.9, count: 100), step: 30, now: 6)
        #expect(t.c.job(id)?.metrics?.source == .evaluation)
        #expect(t.c.job(id)?.metrics?.accuracy == 0.9)

        #expect(try t.c.workerFinished(id, worker: t.workers[1], final: progress(40), now: 7).isEmpty)
        #expect(t.c.job(id)?.state == .running)
        let actions = try t.c.workerFinished(id, worker: t.workers[0], final: nil, now: 8)
        let job = try #require(t.c.job(id))
        #expect(job.state == .succeeded)
        #expect(job.reason == "completed 2 epoch(s)")
        #expect(job.endedAt == 8)
        // A final checkpoint; the variables stay on the shards (retained for `clusterctl pull`).
        #expect(actions == [
            .checkpoint(id, reason: .final), .jobEnded(id, state: .succeeded, reason: "completed 2 epoch(s)"),
        ])
        #expect(t.c.checkpointInFlight(id))
        // Workers are free again and late calls are harmless.
        #expect(try t.c.assignTask(worker: t.workers[0], now: 9) == nil)
        #expect(try t.c.workerFinished(id, worker: t.workers[0], final: nil, now: 9).isEmpty)
        #expect(try t.c.report(id, worker: t.workers[0], progress: progress(1), now: 9) == .stop("completed 2 epoch(s)"))
    }

    @Test func jobsAreServedFIFOAndListedNewestFirst() throws {
        var t = try TestCluster(workers: 3)
        let first = try t.c.submit(asyncSpec(epochs: 1, workers: 1), now: 1).id
        let second = try t.c.submit(asyncSpec(epochs: 1, workers: 2), now: 2).id
        #expect(try t.c.assignTask(worker: t.workers[0], now: 3)?.jobID == first)
        #expect(try t.c.assignTask(worker: t.workers[1], now: 3)?.jobID == second)
        #expect(try t.c.assignTask(worker: t.workers[2], now: 3)?.workerIndex == 1)
        #expect(t.c.jobs().map(\.id) == [second, first])
        #expect(first.description == "job-1")
        #expect(JobID(parsing: "job-2") == second && JobID(parsing: "2") == second && JobID(parsing: "job-x") == nil)
    }

    @Test func jobWaitsForEnoughPSNodes() throws {
        var t = try TestCluster(ps: 1)
        let id = try t.c.submit(asyncSpec(epochs: 1), now: 1).id  // ps_shards: 2
        #expect(try t.c.assignTask(worker: t.workers[0], now: 2) == nil)
        _ = try t.c.register(NodeInfo(name: "ps-late", role: .ps, address: "ps9:7000"), now: 3)
        #expect(try t.c.assignTask(worker: t.workers[0], now: 3)?.jobID == id)
        #expect(try t.c.declareVariables(id, from: t.workers[0], modelVariables).shards.count == 2)
    }

    @Test func maxStepsStopsWorkersThenSucceeds() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 100))
        #expect(try t.c.report(id, worker: t.workers[0], progress: progress(40), now: 5) == .continue)
        let actions = try t.c.recordShardVersion(id, version: 100, now: 6)
        #expect(actions == [.stopWorkers(id, workers: t.workers, reason: "reached max_steps 100")])
        #expect(t.c.job(id)?.state == .running)
        #expect(t.c.job(id)?.isStopping == true)
        #expect(try t.c.report(id, worker: t.workers[1], progress: progress(60), now: 7) == .stop("reached max_steps 100"))
        _ = try t.c.workerFinished(id, worker: t.workers[0], final: nil, now: 8)
        _ = try t.c.reportEvaluation(id, metrics: EvaluationMetrics(loss: 0.1, count: 10), step: 100, now: 8)
        _ = try t.c.workerFinished(id, worker: t.workers[1], final: nil, now: 8)
        #expect(t.c.job(id)?.state == .succeeded)
        #expect(t.c.job(id)?.reason == "reached max_steps 100")
    }

    @Test func maxStepsFromWorkerReportsAlone() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 50))
        #expect(try t.c.report(id, worker: t.workers[0], progress: progress(30), now: 5) == .continue)
        #expect(try t.c.report(id, worker: t.workers[1], progress: progress(20), now: 5) == .stop("reached max_steps 50"))
    }

    @Test func stopAtOnEvaluation() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 10_000, stopAt: StopAtSpec(metric: .accuracy, value: 0.97), evalEvery: 100))
        #expect(try t.c.reportEvaluation(id, metrics: EvaluationMetrics(loss: 0.3, accuracy: 0.96, count: 50), step: 100, now: 5).isEmpty)
        let actions = try t.c.reportEvaluation(id, metrics: EvaluationMetrics(loss: 0.2, accuracy: 0.975, count: 50), step: 200, now: 6)
        #expect(actions.count == 1)
        #expect(try t.c.report(id, worker: t.workers[0], progress: progress(1), now: 7) == .stop(try #require(t.c.job(id)?.reason)))
        #expect(t.c.job(id)?.reason.hasPrefix("reached accuracy 0.975") == true)
        _ = try t.c.workerFinished(id, worker: t.workers[0], final: nil, now: 8)
        _ = try t.c.workerFinished(id, worker: t.workers[1], final: nil, now: 8)
        #expect(t.c.job(id)?.state == .succeeded)
    }

    @Test func stopAtLossOnTrainingFiguresWithoutEvaluation() throws {
        var t = try TestCluster(config: CoordinatorConfig(stopAtWindow: 3))
        let id = try startJob(&t, asyncSpec(maxSteps: 10_000, stopAt: StopAtSpec(metric: .loss, value: 0.1)))
        #expect(try t.c.report(id, worker: t.workers[0], progress: progress(1, loss: 0.05), now: 5) == .continue)
        #expect(try t.c.report(id, worker: t.workers[0], progress: progress(2, loss: 0.05), now: 5.6) == .continue)
        // Another worker's report in the same half second replaces the point: still two, not judged yet.
        #expect(try t.c.report(id, worker: t.workers[1], progress: progress(2, loss: 0.05), now: 5.7) == .continue)
        #expect(try t.c.report(id, worker: t.workers[0], progress: progress(3, loss: 0.05), now: 6.2) != .continue)
    }

    @Test func manyWorkersKeepOneTrainingPointPerIntervalSoTheHistorySpansMinutes() throws {
        var t = try TestCluster(workers: 50, config: CoordinatorConfig(metricHistoryLimit: 200))
        let id = try startJob(&t, asyncSpec(maxSteps: 1_000_000, workers: 50))
        // 50 workers reporting twice a second each for 2 minutes: 12,000 reports, 100 a second.
        var now = 10.0
        for round in 0..<240 {
            for (w, worker) in t.workers.enumerated() {
                _ = try t.c.report(id, worker: worker, progress: progress(round * 50 + w + 1), now: now)
                now += 0.01
            }
        }
        let training = try #require(t.c.job(id)?.history.filter { $0.source == .training })
        #expect(training.count == 200)
        // One point per half second, covering the last 100 s (was 2 s: one point per report).
        let span = try #require(training.last?.time) - (try #require(training.first?.time))
        #expect(span > 99 && span < 100.5, "\(span)")
        #expect(zip(training, training.dropFirst()).allSatisfy { ($1.time - $0.time) > 0.45 })
        // The newest point is the job's newest aggregate.
        #expect(training.last?.step == t.c.job(id)?.step)
    }

    @Test func cancelTellsWorkersAndShards() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 1000))
        let shards = try #require(t.c.job(id)?.shards)
        let actions = try t.c.cancel(id, now: 10)
        #expect(actions == [
            .stopWorkers(id, workers: t.workers, reason: "cancelled by user"), .dropJob(id, shards: shards),
            .jobEnded(id, state: .cancelled, reason: "cancelled by user"),
        ])
        #expect(t.c.job(id)?.state == .cancelled)
        #expect(try t.c.report(id, worker: t.workers[0], progress: progress(5), now: 11) == .stop("cancelled by user"))
        #expect(try t.c.cancel(id, now: 12).isEmpty)  // idempotent
        #expect { try t.c.cancel(JobID(99), now: 12) } throws: { ($0 as? CoordinatorError)?.code == .unknownJob }
    }

    @Test func cancellingAPendingJobAndAFinishedOne() throws {
        var t = try TestCluster()
        let pending = try t.c.submit(asyncSpec(epochs: 1), now: 1).id
        #expect(try t.c.cancel(pending, now: 2) == [.jobEnded(pending, state: .cancelled, reason: "cancelled by user")])
        let id = try startJob(&t, asyncSpec(epochs: 1))
        _ = try t.c.workerFinished(id, worker: t.workers[0], final: nil, now: 5)
        _ = try t.c.workerFinished(id, worker: t.workers[1], final: nil, now: 5)
        #expect { try t.c.cancel(id, now: 6) } throws: { ($0 as? CoordinatorError)?.code == .invalidState }
    }

    @Test func aLostShardReportedInItsFieldRecoversTheJobAndProseDoesNot() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 1000))
        try t.c.recordCheckpoint(id, version: 10, path: "ckpt-10.json")
        let shard = try #require(t.c.job(id)?.shards.first)
        // A message that merely names the shard's address (a bad gradient it refused) fails the job.
        var u = t
        _ = try u.c.workerFailed(id, worker: t.workers[1], message: "\(shard.address): gradient has NaN", now: 9)
        #expect(u.c.job(id)?.state == .failed)
        // The worker's structured report of a lost shard recovers instead, and hands the task back.
        let actions = try t.c.workerFailed(id, worker: t.workers[1], message: "unreachable", lostShard: shard.address, now: 9)
        #expect(actions.isEmpty)
        let job = try #require(t.c.job(id))
        #expect(job.state == .running && job.recovering?.contains("lost a shard") == true)
        #expect(job.workers[1].state == .vacant)
        // An address that is none of the job's shards is a plain failure.
        var v = try TestCluster()
        let other = try startJob(&v, asyncSpec(maxSteps: 1000))
        try v.c.recordCheckpoint(other, version: 10, path: "ckpt-10.json")
        _ = try v.c.workerFailed(other, worker: v.workers[1], message: "unreachable", lostShard: "10.9.9.9:1", now: 9)
        #expect(v.c.job(other)?.state == .failed)
    }

    @Test func workerFailureFailsTheJobWithItsMessage() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 1000))
        let actions = try t.c.workerFailed(id, worker: t.workers[1], message: "out of memory", now: 9)
        let job = try #require(t.c.job(id))
        #expect(job.state == .failed)
        #expect(job.reason == "worker 1 (w-1) failed: out of memory")
        #expect(actions.last == .jobEnded(id, state: .failed, reason: job.reason))
        #expect(actions.contains(.dropJob(id, shards: job.shards)))
        #expect(try t.c.report(id, worker: t.workers[0], progress: progress(1), now: 10) == .stop(job.reason))
    }

    @Test func placementFailureFailsTheJob() throws {
        var t = try TestCluster()
        let id = try t.c.submit(asyncSpec(epochs: 1), now: 1).id
        _ = try t.c.assignTask(worker: t.workers[0], now: 2)
        _ = try t.c.declareVariables(id, from: t.workers[0], modelVariables)
        _ = try t.c.placementFailed(id, reason: "ps1:7000 unreachable", now: 3)
        #expect(t.c.job(id)?.state == .failed)
        #expect(t.c.job(id)?.reason == "placing variables failed: ps1:7000 unreachable")
    }

    @Test func deadWorkersTaskGoesToAnIdleWorker() throws {
        var t = try TestCluster(workers: 3)
        let id = try startJob(&t, asyncSpec(epochs: 1))
        try t.heartbeatAll(now: 8, except: [t.workers[1]])
        let actions = t.c.sweep(now: 11)
        #expect(actions.contains { if case .nodeChanged(let n) = $0 { n.node == t.workers[1] && n.to == .dead } else { false } })
        #expect(t.c.job(id)?.workers[1].state == .vacant)
        let taken = try #require(try t.c.assignTask(worker: t.workers[2], now: 12))
        #expect(taken.workerIndex == 1 && taken.placement != nil)
        // The old worker comes back: it is told to stop, not given a second copy of the task.
        _ = try t.c.register(NodeInfo(name: "w-1", role: .worker, address: ""), now: 13)
        #expect(try t.c.report(id, worker: t.workers[1], progress: progress(3), now: 13) == .stop("\(t.workers[1]) has no task in \(id)"))
        #expect(try t.c.assignTask(worker: t.workers[1], now: 13) == nil)
    }

    @Test func anAsyncSlotTakenOverContinuesFromItsLastReportedStep() throws {
        var t = try TestCluster(workers: 3)
        let id = try startJob(&t, asyncSpec(epochs: 3))
        #expect(try t.c.report(id, worker: t.workers[1], progress: progress(37), now: 5) == .continue)
        try t.heartbeatAll(now: 8, except: [t.workers[1]])
        _ = t.c.sweep(now: 11)
        let taken = try #require(try t.c.assignTask(worker: t.workers[2], now: 12))
        #expect(taken.workerIndex == 1 && taken.resumeBatches == 37)
        // A fresh slot and a sync job start at 0 (sync resumes from the shards' version).
        var s = try TestCluster(workers: 2)
        var syncJob = asyncSpec(epochs: 3)
        syncJob.training.mode = .sync
        let sync = try startJob(&s, syncJob)
        _ = try s.c.report(sync, worker: s.workers[1], progress: progress(20), now: 5)
        #expect(try s.c.assignTask(worker: s.workers[0], now: 6)?.resumeBatches == 0)
        #expect(try s.c.assignTask(worker: s.workers[1], now: 6)?.resumeBatches == 0)
    }

    @Test func aWorkerThatTakesOverALostSlotAfterItsOwnFinishesTheJob() throws {
        var t = try TestCluster(workers: 3)
        let id = try startJob(&t, asyncSpec(epochs: 1, workers: 3))
        try t.heartbeatAll(now: 8, except: [t.workers[2]])
        _ = t.c.sweep(now: 11)
        #expect(t.c.job(id)?.workers[2].state == .vacant)
        // Worker 1 finishes its own slot, asks for work and gets the lost slot 2.
        _ = try t.c.workerFinished(id, worker: t.workers[1], final: progress(10), now: 12)
        let taken = try #require(try t.c.assignTask(worker: t.workers[1], now: 12))
        #expect(taken.workerIndex == 2)
        // Its reports and its finish now count for slot 2, not for the slot it already finished.
        #expect(try t.c.report(id, worker: t.workers[1], progress: progress(4), now: 13) == .continue)
        #expect(t.c.job(id)?.workers[2].progress?.workerStep == 4)
        _ = try t.c.workerFinished(id, worker: t.workers[1], final: progress(5), now: 14)
        #expect(t.c.job(id)?.workers[2].state == .finished)
        _ = try t.c.workerFinished(id, worker: t.workers[0], final: nil, now: 15)
        #expect(t.c.job(id)?.state == .succeeded)
    }

    @Test func aChiefLeftAloneTakesOverTheLostSlotInsteadOfWaitingForever() throws {
        var t = try TestCluster(workers: 2)
        let id = try startJob(&t, asyncSpec(epochs: 1, workers: 2))
        #expect(!t.c.peersFinished(id, except: t.workers[0]))  // worker 1 is training
        try t.heartbeatAll(now: 8, except: [t.workers[1]])
        _ = t.c.sweep(now: 11)
        // Nobody can take slot 1: the chief stops waiting, finishes its slot, then takes slot 1 itself.
        #expect(t.c.peersFinished(id, except: t.workers[0]))
        _ = try t.c.workerFinished(id, worker: t.workers[0], final: progress(9), now: 12)
        let taken = try #require(try t.c.assignTask(worker: t.workers[0], now: 12))
        #expect(taken.workerIndex == 1)
        _ = try t.c.workerFinished(id, worker: t.workers[0], final: progress(9), now: 13)
        #expect(t.c.job(id)?.state == .succeeded)
        // With an idle live worker around, the chief waits for it to take the slot.
        var u = try TestCluster(workers: 3)
        let other = try startJob(&u, asyncSpec(epochs: 1, workers: 2))
        try u.heartbeatAll(now: 8, except: [u.workers[1]])
        _ = u.c.sweep(now: 11)
        #expect(!u.c.peersFinished(other, except: u.workers[0]))
    }

    @Test func returningWorkerReclaimsItsVacantTask() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(epochs: 1))
        try t.heartbeatAll(now: 8, except: [t.workers[1]])
        _ = t.c.sweep(now: 11)
        _ = try t.c.heartbeat(t.workers[1], now: 12)
        #expect(try t.c.report(id, worker: t.workers[1], progress: progress(3), now: 12) == .continue)
        #expect(t.c.job(id)?.workers[1].state == .assigned)
    }

    @Test func stoppingJobWithADeadWorkerDoesNotHang() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 10))
        _ = try t.c.recordShardVersion(id, version: 10, now: 5)
        _ = try t.c.workerFinished(id, worker: t.workers[0], final: nil, now: 6)
        try t.heartbeatAll(now: 6, except: [t.workers[1]])
        _ = t.c.sweep(now: 12)
        #expect(t.c.job(id)?.state == .succeeded)
    }

    @Test func stopGracePeriodEndsAStuckStop() throws {
        var t = try TestCluster(config: CoordinatorConfig(stopGracePeriod: 30))
        let id = try startJob(&t, asyncSpec(maxSteps: 10))
        _ = try t.c.recordShardVersion(id, version: 10, now: 5)
        try t.heartbeatAll(now: 30)
        #expect(t.c.sweep(now: 30).isEmpty)
        try t.heartbeatAll(now: 36)
        let actions = t.c.sweep(now: 36)
        #expect(t.c.job(id)?.state == .succeeded)
        #expect(actions.contains(.checkpoint(id, reason: .final)))
    }

    @Test func deadShardFailsItsRunningJob() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(epochs: 1))
        try t.heartbeatAll(now: 9, except: [t.ps[0]])
        _ = t.c.sweep(now: 11)
        #expect(t.c.job(id)?.state == .failed)
        #expect(t.c.job(id)?.reason.contains("parameter server ps-0") == true)
    }

    @Test func syncJobLowersAndRaisesEffectiveReplicas() throws {
        var t = try TestCluster(workers: 3)
        let spec = JobSpec(
            name: "s", model: ModelSpec(type: .linear), data: .synthetic(weights: [1]),
            training: TrainingSpec(mode: .sync, replicasToAggregate: 2, backupWorkers: 1, epochs: 1),
            cluster: ClusterSpec(workers: 3, psShards: 2))
        let id = try startJob(&t, spec)
        #expect(t.c.job(id)?.effectiveReplicas == 2)
        try t.heartbeatAll(now: 8, except: [t.workers[1], t.workers[2]])
        let down = t.c.sweep(now: 11)
        #expect(down.contains(.setEffectiveReplicas(id, replicas: 1, shards: try #require(t.c.job(id)?.shards))))
        _ = try t.c.register(NodeInfo(name: "w-1", role: .worker, address: ""), now: 12)
        _ = try t.c.assignTask(worker: t.workers[1], now: 12)
        try t.heartbeatAll(now: 12)
        let up = t.c.sweep(now: 12.5)
        #expect(up.contains(.setEffectiveReplicas(id, replicas: 2, shards: try #require(t.c.job(id)?.shards))))
        // Sync step is the max worker step when shards have not reported a version.
        _ = try t.c.report(id, worker: t.workers[0], progress: progress(7), now: 13)
        _ = try t.c.report(id, worker: t.workers[1], progress: progress(5), now: 13)
        #expect(t.c.job(id)?.step == 7)
    }

    @Test func historyIsBounded() throws {
        var t = try TestCluster(config: CoordinatorConfig(metricHistoryLimit: 5))
        let id = try startJob(&t, asyncSpec(maxSteps: 1_000_000))
        for i in 1...20 { _ = try t.c.report(id, worker: t.workers[0], progress: progress(i), now: Double(i)) }
        let history = try #require(t.c.job(id)?.history)
        #expect(history.count == 5)
        #expect(history.last?.step == 20)
    }

    @Test func trainingReportsNeverPushEvaluationsOutOfTheHistory() throws {
        var t = try TestCluster(config: CoordinatorConfig(metricHistoryLimit: 5))
        let id = try startJob(&t, asyncSpec(maxSteps: 1_000_000))
        for i in 1...3 {
            _ = try t.c.reportEvaluation(id, metrics: EvaluationMetrics(loss: 1 / Double(i), accuracy: 0.5 + 0.1 * Double(i), count: 100), step: i * 10, now: Double(i))
        }
        // Many workers' reports: far more training points than the limit.
        for i in 4...60 { _ = try t.c.report(id, worker: t.workers[0], progress: progress(i * 10), now: Double(i)) }
        let history = try #require(t.c.job(id)?.history)
        #expect(history.filter { $0.source == .evaluation }.map(\.step) == [10, 20, 30])
        let training = history.filter { $0.source == .training }
        #expect(training.count == 5 && training.last?.step == 600)
        // Still in time order.
        #expect(history.map(\.time) == history.map(\.time).sorted())
    }

    @Test func statusCountsNodesAndJobs() throws {
        var t = try TestCluster(ps: 2, workers: 3)
        let id = try startJob(&t, asyncSpec(epochs: 1))
        _ = try t.c.submit(asyncSpec(epochs: 1), now: 4)
        try t.heartbeatAll(now: 8, except: [t.workers[2]])
        _ = t.c.sweep(now: 10.5)  // w-2 silent for 10.5 s > 10 → dead
        let s = t.c.status()
        #expect(s.ps == NodeCounts(alive: 2, suspect: 0, dead: 0))
        #expect(s.workers == NodeCounts(alive: 2, suspect: 0, dead: 1))
        #expect(s.busyWorkers == 2)
        #expect(s.jobs.running == 1 && s.jobs.pending == 1)
        _ = try t.c.cancel(id, now: 11)
        #expect(t.c.status().jobs.cancelled == 1)
    }

    @Test func snapshotRestoresJobsAndNodeIdentities() throws {
        var t = try TestCluster()
        let id = try startJob(&t, asyncSpec(maxSteps: 100))
        _ = try t.c.report(id, worker: t.workers[0], progress: progress(3), now: 5)
        var restored = try Coordinator(restoring: t.c.snapshot(), now: 100)
        #expect(restored.job(id) == t.c.job(id))
        let secret = try #require(t.c.node(t.workers[0])?.secret)
        #expect(try restored.register(NodeInfo(name: "w-0", role: .worker, address: ""), secret: secret, now: 101).id == t.workers[0])
        #expect(try restored.assignTask(worker: t.workers[0], now: 101)?.jobID == id)
        #expect(try restored.submit(asyncSpec(epochs: 1), now: 102).id == JobID(2))
    }

    @Test func callsWithUnknownIdsAreErrors() throws {
        var t = try TestCluster()
        #expect { try t.c.assignTask(worker: NodeID(77), now: 1) } throws: { ($0 as? CoordinatorError)?.code == .unknownNode }
        #expect { try t.c.assignTask(worker: t.ps[0], now: 1) } throws: { ($0 as? CoordinatorError)?.code == .invalidNode }
        #expect { try t.c.report(JobID(5), worker: t.workers[0], progress: progress(1), now: 1) } throws: {
            ($0 as? CoordinatorError)?.code == .unknownJob
        }
        let id = try startJob(&t, asyncSpec(epochs: 1, workers: 1))
        #expect(try t.c.report(id, worker: t.workers[1], progress: progress(1), now: 1) == .stop("\(t.workers[1]) has no task in \(id)"))
        #expect { try t.c.workerFinished(id, worker: t.workers[1], final: nil, now: 1) } throws: {
            ($0 as? CoordinatorError)?.code == .invalidNode
        }
    }
}
