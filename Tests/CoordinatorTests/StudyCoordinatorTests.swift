import Foundation
import JobSpec
import Testing
import Tuning

@testable import Coordinator

/// A study's trials as the coordinator runs them: labelled jobs, early stopping, the end, a restart (no sockets).
@Suite struct StudyCoordinatorTests {
    /// A study of a one-worker linear job over three learning rates (grid), `parallel` at once.
    func studySpec(parallel: Int = 2, trials: Int = 3, stopping: String = "", algorithm: String = "grid") throws -> StudySpec {
        try StudySpecParser.parse(yaml: """
            kind: Study
            name: lr
            model: {type: linear}
            data: {format: synthetic, weights: [2], bias: 10}
            optimizer: {type: sgd, learning_rate: 0.1}
            training: {mode: async, max_steps: 100, eval_every_steps: 10}
            cluster: {workers: 1, ps_shards: 1}
            tuning:
              goal: maximize
              metric: accuracy
              max_trials: \(trials)
              max_parallel_trials: \(parallel)
              algorithm: \(algorithm)
              params:
                - {key: optimizer.learning_rate, type: discrete, values: [0.0001, 0.001, 0.01, 0.1, 0.5]}
            \(stopping)
            """)
    }

    /// The study's trial jobs, by trial number.
    func trialJobs(_ t: TestCluster, _ study: StudyID) -> [Int: JobRecord] {
        Dictionary(t.c.jobs().compactMap { job in job.study.flatMap { $0.study == study ? ($0.trial, job) : nil } }, uniquingKeysWith: { a, _ in a })
    }

    /// Runs a PENDING trial job on `worker` until it succeeds, its chief reporting `accuracies` at steps 10, 20, …
    func runTrial(_ t: inout TestCluster, _ id: JobID, worker: NodeID, accuracies: [Double], now: Double) throws -> [CoordinatorAction] {
        let assignment = try #require(try t.c.assignTask(worker: worker, now: now))
        #expect(assignment.jobID == id)
        _ = try t.c.declareVariables(id, from: worker, modelVariables)
        _ = try t.c.placementReady(id, now: now)
        var actions: [CoordinatorAction] = []
        for (i, accuracy) in accuracies.enumerated() {
            let metrics = EvaluationMetrics(loss: 1 - accuracy, accuracy: accuracy, auc: nil, count: 100)
            actions += try t.c.reportEvaluation(id, metrics: metrics, step: 10 * (i + 1), now: now)
            if t.c.job(id)?.state.isTerminal == true { return actions }
        }
        actions += try t.c.workerFinished(id, worker: worker, final: nil, now: now)
        return actions
    }

    @Test func trialsRunAsLabelledJobsAndTheStudyEndsWithTheBestTrial() throws {
        var t = try TestCluster(ps: 1, workers: 2)
        let (record, actions) = try t.c.submitStudy(studySpec(), now: 1)
        #expect(record.id == StudyID(1) && record.state == .running)
        // max_parallel_trials 2: two PENDING jobs, named and labelled, each with its assignment written into its spec.
        var jobs = trialJobs(t, record.id)
        #expect(jobs.keys.sorted() == [1, 2])
        #expect(jobs[1]?.spec.name == "lr-trial-1" && jobs[1]?.spec.optimizer.learningRate == 0.0001)
        #expect(jobs[2]?.spec.name == "lr-trial-2" && jobs[2]?.spec.optimizer.learningRate == 0.001)
        #expect(actions.count == 2 && actions.allSatisfy { if case .trialStarted(_, "lr") = $0 { true } else { false } })

        _ = try runTrial(&t, jobs[1]!.id, worker: t.workers[0], accuracies: [0.6, 0.8], now: 2)
        // Trial 1's end starts trial 3 at once (its job queues behind nothing; max_trials 3: no more after it).
        #expect(trialJobs(t, record.id).keys.sorted() == [1, 2, 3])
        let ended = try runTrial(&t, jobs[2]!.id, worker: t.workers[1], accuracies: [0.7, 0.9], now: 3)
        #expect(!ended.contains { if case .trialStarted = $0 { true } else { false } })
        #expect(t.c.study(record.id)?.study.trials.map(\.state) == [.succeeded, .succeeded, .running])
        #expect(t.c.tick(now: 4).filter { if case .trialStarted = $0 { true } else { false } }.isEmpty)
        jobs = trialJobs(t, record.id)
        #expect(jobs.keys.sorted() == [1, 2, 3] && jobs[3]?.spec.optimizer.learningRate == 0.01)
        _ = try runTrial(&t, jobs[3]!.id, worker: t.workers[0], accuracies: [0.85], now: 5)
        _ = t.c.tick(now: 6)

        let done = try #require(t.c.study(record.id))
        #expect(done.state == .succeeded)
        #expect(done.study.best?.number == 2)
        #expect(done.study.ranked.map(\.number) == [2, 3, 1])
        #expect(done.reason.contains("trial 2") && done.reason.contains("accuracy 0.9"))
        #expect(done.trialSteps { JobID(parsing: $0).flatMap { t.c.job($0)?.step } } >= 0)
        #expect(trialJobs(t, record.id).count == 3)
    }

    @Test func earlyStoppingCancelsATrialAtOnceAndTheNextOneStarts() throws {
        var t = try TestCluster(ps: 1, workers: 2)
        let spec = try studySpec(parallel: 1, trials: 4, stopping: "  early_stopping: {rule: median, min_steps: 10, min_trials: 2}")
        let (record, _) = try t.c.submitStudy(spec, now: 1)
        for (n, curve) in [[0.8, 0.9], [0.82, 0.92]].enumerated() {
            let job = try #require(trialJobs(t, record.id)[n + 1])
            _ = try runTrial(&t, job.id, worker: t.workers[0], accuracies: curve, now: Double(2 + n))
            _ = t.c.tick(now: Double(2 + n))
        }
        // Trial 3 reports 0.3 at step 10, below the median of the others there: stopped, its job cancelled at once.
        let third = try #require(trialJobs(t, record.id)[3])
        let actions = try runTrial(&t, third.id, worker: t.workers[1], accuracies: [0.3, 0.95], now: 5)
        let job = try #require(t.c.job(third.id))
        #expect(job.state == .cancelled && job.reason.contains("stopped early by study-1"))
        #expect(actions.contains { if case .stopWorkers(third.id, let workers, _) = $0 { workers == [t.workers[1]] } else { false } })
        let trial = try #require(t.c.study(record.id)?.study.trials[2])
        #expect(trial.state == .stopped && trial.steps == 10 && trial.reason?.contains("median") == true)
        // Its worker is free and trial 4 started with the stop: that worker takes it now.
        try t.heartbeatAll(now: 6)
        _ = t.c.tick(now: 6)
        let fourth = try #require(trialJobs(t, record.id)[4])
        #expect(try t.c.assignTask(worker: t.workers[1], now: 6)?.jobID == fourth.id)
    }

    @Test func aJobSubmittedDuringAStudyTakesTheNextFreeWorkerBeforeTheStudysNextTrial() throws {
        var t = try TestCluster(ps: 1, workers: 1)
        let (record, _) = try t.c.submitStudy(studySpec(parallel: 1, trials: 3), now: 1)
        let first = try #require(trialJobs(t, record.id)[1])
        _ = try t.c.assignTask(worker: t.workers[0], now: 2)
        // Someone else's job arrives while trial 1 runs; trial 1 ends and trial 2 is created after it.
        var other = asyncSpec(maxSteps: 10, workers: 1)
        other.name = "someone-else"
        other.cluster = ClusterSpec(workers: 1, psShards: 1)
        let job = try t.c.submit(other, now: 3).id
        _ = try t.c.declareVariables(first.id, from: t.workers[0], modelVariables)
        _ = try t.c.placementReady(first.id, now: 3)
        _ = try t.c.workerFinished(first.id, worker: t.workers[0], final: nil, now: 4)
        #expect(trialJobs(t, record.id).count == 2)
        // The one worker goes to the job that waited, not to the trial created after it.
        try t.heartbeatAll(now: 5)
        #expect(try t.c.assignTask(worker: t.workers[0], now: 5)?.jobID == job)
    }

    @Test func aStudySurvivesARestartWithoutRerunningFinishedTrials() throws {
        var t = try TestCluster(ps: 1, workers: 2)
        let (record, _) = try t.c.submitStudy(studySpec(parallel: 2, trials: 3), now: 1)
        let first = try #require(trialJobs(t, record.id)[1])
        _ = try runTrial(&t, first.id, worker: t.workers[0], accuracies: [0.9], now: 2)
        let second = try #require(trialJobs(t, record.id)[2])
        _ = try t.c.assignTask(worker: t.workers[1], now: 2)  // trial 2 is running when the coordinator stops

        let stored = try JSONDecoder().decode(CoordinatorSnapshot.self, from: JSONEncoder().encode(t.c.snapshot()))
        var restarted = try Coordinator(restoring: stored, config: t.c.config, now: 10)
        t.c = restarted
        _ = t.c.tick(now: 11)
        // Trial 1 stays finished, trial 2 keeps its job, trial 3 (started when trial 1 ended) keeps its own: three
        // jobs, none run twice, and the restart starts no other.
        let jobs = trialJobs(t, record.id)
        #expect(jobs.keys.sorted() == [1, 2, 3])
        #expect(jobs[1]?.id == first.id && jobs[2]?.id == second.id)
        #expect(t.c.study(record.id)?.study.trials.map(\.state) == [.succeeded, .running, .running])
        restarted = t.c
        #expect(restarted.study(record.id)?.study.trials[0].finalValue == 0.9)
        // A new study gets the next number after a restart.
        #expect(try t.c.submitStudy(studySpec(), now: 12).0.id == StudyID(2))
    }

    @Test func cancellingAStudyCancelsItsRunningTrialsAndStartsNoMore() throws {
        var t = try TestCluster(ps: 1, workers: 2)
        let (record, _) = try t.c.submitStudy(studySpec(parallel: 2, trials: 5, algorithm: "random"), now: 1)
        let jobs = trialJobs(t, record.id)
        _ = try t.c.assignTask(worker: t.workers[0], now: 2)
        let actions = try t.c.cancelStudy(record.id, now: 3)
        #expect(actions.contains { if case .jobEnded(_, .cancelled, _) = $0 { true } else { false } })
        #expect(jobs.values.allSatisfy { t.c.job($0.id)?.state == .cancelled })
        _ = t.c.tick(now: 4)
        #expect(trialJobs(t, record.id).count == 2)
        #expect(t.c.study(record.id)?.state == .cancelled)
        #expect(try t.c.cancelStudy(record.id, now: 5).isEmpty)  // again: nothing to do
        // Deleting forgets the study, not its trials' jobs.
        _ = try t.c.deleteStudy(record.id, force: false, now: 6)
        #expect(t.c.study(record.id) == nil && jobs.values.allSatisfy { t.c.job($0.id) != nil })
    }

    @Test func theBestTrialKeepsItsVariablesPastTheRetainedJobs() throws {
        var config = CoordinatorConfig()
        config.retainedJobs = 1
        var t = try TestCluster(ps: 1, workers: 1, config: config)
        let (record, _) = try t.c.submitStudy(studySpec(parallel: 1, trials: 3), now: 1)
        var dropped: [JobID] = []
        for (n, accuracy) in [0.95, 0.6, 0.7].enumerated() {
            let job = try #require(trialJobs(t, record.id)[n + 1])
            let actions = try runTrial(&t, job.id, worker: t.workers[0], accuracies: [accuracy], now: Double(2 + n))
            dropped += actions.compactMap { if case .dropJob(let id, _) = $0 { id } else { nil } }
            _ = t.c.tick(now: Double(2 + n))
        }
        let best = try #require(trialJobs(t, record.id)[1]?.id)
        #expect(!dropped.contains(best))  // retained_jobs 1 would have released it; being the study's best keeps it
        #expect(dropped == [trialJobs(t, record.id)[2]!.id])
    }

    @Test func aStudyTheTrialsCannotMeasureIsRefusedAtSubmit() throws {
        var t = try TestCluster(ps: 1, workers: 1)
        var spec = try studySpec()
        spec.metric = "f1"
        #expect(throws: CoordinatorError.self) { try t.c.submitStudy(spec, now: 1) }
        do {
            _ = try t.c.submitStudy(spec, now: 1)
        } catch {
            #expect(error.path == "tuning.metric" && error.message.contains("never reported"))
        }
        #expect(t.c.jobs().isEmpty && t.c.studyList(limit: 10).total == 0)
    }
}
