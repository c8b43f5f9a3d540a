import Foundation
import Testing

@testable import Coordinator

/// Serving replicas (docs/serving.md): where the coordinator places them, what it tells serving workers, what it
/// refuses, and how serving keeps a succeeded job's variables on its shards.
@Suite struct ServingPlacementTests {
    /// A cluster whose workers serve (they registered a prediction address), with `plain` workers that do not.
    static func servingCluster(serving: Int, plain: Int = 0, config: CoordinatorConfig = CoordinatorConfig()) throws -> TestCluster {
        var t = try TestCluster(ps: 2, workers: 0, config: config)
        for i in 0..<(serving + plain) {
            var info = NodeInfo(name: "w-\(i)", role: .worker, address: "")
            if i < serving { info.servingAddress = "w\(i):8501" }
            t.workers.append(try t.c.register(info, now: 0).id)
        }
        return t
    }

    static func servedSpec(replicas: Int, refreshMs: Int = 250) -> JobSpec {
        var spec = asyncSpec(epochs: 1, workers: 1)
        spec.serving = ServingSpec(replicas: replicas, refreshMs: refreshMs)
        return spec
    }

    /// Submits a one-worker job and starts it with `worker` as its chief.
    static func start(_ t: inout TestCluster, _ spec: JobSpec, trainedBy worker: NodeID) throws -> JobID {
        let id = try t.c.submit(spec, now: 1).id
        #expect(try t.c.assignTask(worker: worker, now: 2)?.jobID == id)
        _ = try t.c.declareVariables(id, from: worker, modelVariables)
        _ = try t.c.placementReady(id, now: 3)
        return id
    }

    @Test func replicasGoToServingWorkersWithTheFewestAndAreReplacedWhenOneDies() throws {
        var t = try Self.servingCluster(serving: 3, plain: 1)
        let first = try startJob(&t, Self.servedSpec(replicas: 2))
        _ = t.c.sweep(now: 4)
        let placed = try #require(t.c.job(first)?.serving?.nodes)
        #expect(placed == [t.workers[0], t.workers[1]], "two replicas on two serving workers, lowest ids first")
        // The next served job goes to the worker holding none first.
        let second = try Self.start(&t, Self.servedSpec(replicas: 1), trainedBy: t.workers[3])
        _ = t.c.sweep(now: 4)
        #expect(t.c.job(second)?.serving?.nodes == [t.workers[2]])
        #expect(t.c.servedJobsByNode()[t.workers[3]] == nil, "a worker without a prediction address never serves")

        // Each serving worker learns exactly its replicas, with what it needs to pull and refresh.
        let told = try t.c.syncServing(worker: t.workers[1], reports: [], now: 5)
        #expect(told.map(\.job) == [first] && told[0].refreshMs == 250 && !told[0].placement.partitions.isEmpty)
        #expect(try t.c.syncServing(worker: t.workers[3], reports: [], now: 5).isEmpty)

        // worker 1 goes silent: its replica moves to worker 2 (the only alive serving worker without this job).
        for now in stride(from: 6.0, through: 30, by: 1) {
            try t.heartbeatAll(now: now, except: [t.workers[1]])
            _ = t.c.sweep(now: now)
        }
        #expect(t.c.job(first)?.serving?.nodes == [t.workers[0], t.workers[2]])
    }

    @Test func reportsShowTheServedStepItsAgeAndProblemsWithoutRewritingTheJob() throws {
        var t = try Self.servingCluster(serving: 1)
        let id = try startJob(&t, Self.servedSpec(replicas: 1))
        _ = t.c.sweep(now: 4)
        #expect(t.c.replicas(of: id).map(\.state) == ["starting"])
        _ = t.c.takeChanges()
        _ = try t.c.syncServing(worker: t.workers[0], reports: [ReplicaReport(job: id, version: 120, ageSeconds: 0.5, available: true)], now: 10)
        #expect(t.c.takeChanges().jobs.isEmpty, "a replica report is not a store write")
        let replica = try #require(t.c.replicas(of: id).first)
        #expect(replica.state == "serving" && replica.report?.version == 120 && replica.ageSeconds(now: 12) == 2.5)
        _ = try t.c.syncServing(
            worker: t.workers[0], reports: [ReplicaReport(job: id, version: 120, ageSeconds: 3, available: true, problem: "shard unreachable")], now: 13)
        #expect(t.c.replicas(of: id).first?.state == "failing")
        // A report for a job not placed on the worker changes nothing.
        _ = try t.c.syncServing(worker: t.workers[0], reports: [ReplicaReport(job: JobID(99), version: 1, ageSeconds: 0, available: true)], now: 14)
        #expect(t.c.replicas(of: JobID(99)).isEmpty)
    }

    @Test func servingIsRefusedWhenTheVariablesAreGoneAndNumbersAreBounded() throws {
        var t = try Self.servingCluster(serving: 1)
        let cancelled = try startJob(&t, asyncSpec(epochs: 1, workers: 1))
        _ = try t.c.cancel(cancelled, now: 5)
        #expect { try t.c.serve(cancelled, replicas: 1, refreshMs: nil, now: 6) } throws: { error in
            let e = error as? CoordinatorError
            return e?.code == .invalidState && e!.message.contains("--serve-model")
        }
        let running = try startJob(&t, asyncSpec(epochs: 1, workers: 1))
        for (replicas, refresh) in [(-1, 100), (65, 100), (1, 9), (1, 86_400_001), (Int.max, Int.max)] {
            #expect(throws: CoordinatorError.self) { try t.c.serve(running, replicas: replicas, refreshMs: refresh, now: 6) }
        }
        #expect(t.c.job(running)?.serving == nil, "a refused serve changes nothing")
        #expect { try t.c.serve(JobID(42), replicas: 1, refreshMs: nil, now: 6) } throws: { ($0 as? CoordinatorError)?.code == .unknownJob }
    }

    @Test func aServedSucceededJobStaysOnItsShardsUntilUnservedThenIsDropped() throws {
        var config = CoordinatorConfig()
        config.retainedJobs = 1
        var t = try Self.servingCluster(serving: 1, config: config)
        func finish(_ id: JobID, at now: Double) throws -> [CoordinatorAction] {
            try t.c.workerFinished(id, worker: t.workers[0], final: nil, now: now)
        }
        let served = try startJob(&t, asyncSpec(epochs: 1, workers: 1))
        #expect(try t.c.serve(served, replicas: 1, refreshMs: 500, now: 4).isEmpty)
        let shards = try #require(t.c.job(served)?.shards)
        _ = try finish(served, at: 5)
        // A newer job succeeds: with one retained slot the served job would leave its shards, but serving keeps it.
        let newer = try startJob(&t, asyncSpec(epochs: 1, workers: 1))
        let ended = try finish(newer, at: 6)
        #expect(!ended.contains(.dropJob(served, shards: shards)))
        #expect(try t.c.syncServing(worker: t.workers[0], reports: [], now: 7).map(\.job) == [served], "a succeeded job is still served")
        // Unserving it frees its shards; serving it again is then refused.
        #expect(try t.c.serve(served, replicas: 0, refreshMs: nil, now: 8) == [.dropJob(served, shards: shards)])
        #expect(try t.c.syncServing(worker: t.workers[0], reports: [], now: 9).isEmpty)
        #expect { try t.c.serve(served, replicas: 1, refreshMs: nil, now: 10) } throws: { ($0 as? CoordinatorError)?.message.contains("released") == true }
    }

    @Test func servingSurvivesACoordinatorRestartWithItsPlacement() throws {
        var t = try Self.servingCluster(serving: 2)
        let id = try startJob(&t, Self.servedSpec(replicas: 1, refreshMs: 40))
        _ = t.c.sweep(now: 4)
        let before = try #require(t.c.job(id)?.serving)
        // Through the store's encoding (JSON), as a restart reads it.
        let stored = try JSONDecoder().decode(CoordinatorSnapshot.self, from: try JSONEncoder().encode(t.c.snapshot()))
        var restored = try Coordinator(restoring: stored, now: 100)
        #expect(restored.job(id)?.serving == before)
        #expect(try restored.syncServing(worker: before.nodes[0], reports: [], now: 101).first?.refreshMs == 40)
    }
}
