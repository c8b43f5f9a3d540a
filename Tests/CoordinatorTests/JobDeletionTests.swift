import Testing

@testable import Coordinator

/// Deleting jobs, retention of ended jobs, paging, change tracking and jobs a restart cannot load.
@Suite struct JobDeletionTests {
    @Test func anEndedJobIsForgottenAndAnActiveOneOnlyWithForce() throws {
        var t = try TestCluster()
        let ended = try t.c.submit(asyncSpec(epochs: 1), now: 1).id
        _ = try t.c.cancel(ended, now: 2)
        let running = try startJob(&t, asyncSpec(epochs: 1))
        _ = t.c.takeChanges()

        let (record, actions) = try t.c.delete(ended, force: false, now: 5)
        #expect(record.id == ended && record.state == .cancelled)
        #expect(actions == [.jobDeleted(ended, shards: [])])
        #expect(t.c.job(ended) == nil)
        #expect(t.c.takeChanges().deletedJobs == [ended])
        #expect { try t.c.delete(ended, force: false, now: 5) } throws: { ($0 as? CoordinatorError)?.code == .unknownJob }

        #expect { try t.c.delete(running, force: false, now: 6) } throws: { error in
            let e = error as? CoordinatorError
            return e?.code == .invalidState && e!.message.contains("RUNNING") && e!.message.contains("--force")
        }
        #expect(t.c.job(running)?.state == .running)
        let shards = try #require(t.c.job(running)?.shards)
        let (forced, forcedActions) = try t.c.delete(running, force: true, now: 7)
        #expect(forced.state == .cancelled)
        #expect(forcedActions.contains(.dropJob(running, shards: shards)))
        #expect(forcedActions.last == .jobDeleted(running, shards: shards))
        #expect(t.c.jobs().isEmpty && t.c.jobCounts.total == 0)
        // Numbers are never handed out again.
        #expect(try t.c.submit(asyncSpec(epochs: 1), now: 8).id == JobID(3))
    }

    @Test func aStoredJobCounterAtTheEndOfItsRangeRefusesSubmitInsteadOfTrapping() throws {
        var t = try TestCluster()
        t.c.nextJobID = UInt64(Int64.max) - 1
        #expect(try t.c.submit(asyncSpec(epochs: 1), now: 1).id == JobID(UInt64(Int64.max) - 1))
        #expect { try t.c.submit(asyncSpec(epochs: 1), now: 2) } throws: { error in
            let e = error as? CoordinatorError
            return e?.code == .resourceExhausted && e!.message.contains("job ids are exhausted")
        }
        t.c.nextJobID = .max
        #expect { try t.c.submit(asyncSpec(epochs: 1), now: 3) } throws: { ($0 as? CoordinatorError)?.code == .resourceExhausted }
        #expect(t.c.jobs().count == 1)
    }

    @Test func retentionKeepsTheNewestEndedJobsAndNeverTouchesActiveOnes() throws {
        var config = CoordinatorConfig()
        config.jobRetention = 3
        var t = try TestCluster(config: config)
        var ids: [JobID] = []
        for i in 0..<6 { ids.append(try t.c.submit(asyncSpec(epochs: 1), now: Double(i)).id) }
        // End them out of order: job 1 ends last, so it is the newest ended job. Each end past the limit deletes the
        // oldest ended job with it.
        var actions: [CoordinatorAction] = []
        for (n, id) in ids.dropFirst().prefix(4).enumerated() { actions += try t.c.cancel(id, now: 10 + Double(n)) }
        actions += try t.c.cancel(ids[0], now: 20)
        let deleted = actions.filter { if case .jobDeleted = $0 { true } else { false } }
        #expect(deleted == [.jobDeleted(ids[1], shards: []), .jobDeleted(ids[2], shards: [])])
        #expect(t.c.jobs().map(\.id) == [ids[5], ids[4], ids[3], ids[0]])
        #expect(t.c.job(ids[5])?.state == .pending)
        #expect(t.c.applyRetention().isEmpty)

        config.jobRetention = 0
        var keepAll = try TestCluster(config: config)
        for i in 0..<5 { _ = try keepAll.c.cancel(try keepAll.c.submit(asyncSpec(epochs: 1), now: Double(i)).id, now: 9) }
        #expect(keepAll.c.applyRetention().isEmpty && keepAll.c.jobs().count == 5)
    }

    @Test func pagesAreNewestFirstFilteredAndCounted() throws {
        var t = try TestCluster()
        for i in 0..<10 {
            let id = try t.c.submit(asyncSpec(epochs: 1), now: Double(i)).id
            if i % 2 == 0 { _ = try t.c.cancel(id, now: 20) }
        }
        let page = t.c.jobs(state: nil, limit: 3)
        #expect(page.jobs.map(\.id.rawValue) == [10, 9, 8] && page.total == 10)
        let cancelled = t.c.jobs(state: .cancelled, limit: 2)
        #expect(cancelled.jobs.map(\.id.rawValue) == [9, 7] && cancelled.total == 5)
        let none = t.c.jobs(state: .failed, limit: 5)
        #expect(none.jobs.isEmpty && none.total == 0)
        #expect(t.c.jobCounts == JobCounts(pending: 5, running: 0, succeeded: 0, failed: 0, cancelled: 5))
        #expect(t.c.status().jobs == t.c.jobCounts)
        #expect(t.c.activeJobs().map(\.id.rawValue) == [2, 4, 6, 8, 10])
    }

    @Test func onlyChangedJobsAreReportedAsChanges() throws {
        var t = try TestCluster()
        let a = try t.c.submit(asyncSpec(maxSteps: 100), now: 1).id
        let b = try t.c.submit(asyncSpec(maxSteps: 100), now: 1).id
        #expect(Set(t.c.takeChanges().jobs.map(\.id)) == [a, b])
        _ = t.c.sweep(now: 2)  // nothing to do: nothing changed
        #expect(t.c.takeChanges().jobs.isEmpty)
        _ = try t.c.cancel(b, now: 3)
        #expect(t.c.takeChanges().jobs.map(\.id) == [b])
    }

    @Test func aRestoredJobThisVersionRejectsIsFailedWithTheReason() throws {
        var t = try TestCluster()
        let good = try startJob(&t, asyncSpec(maxSteps: 100))
        var snapshot = t.c.snapshot()
        // As an older version could have stored it: a batch far past today's limit, on a running job.
        var bad = try #require(snapshot.jobs.first)
        bad.id = JobID(7)
        bad.spec.data.batchSize = 2_147_483_648
        snapshot.jobs.append(bad)
        var restored = try Coordinator(restoring: snapshot, now: 100)
        let actions = restored.failUnloadableJobs(now: 100)
        let failed = try #require(restored.job(JobID(7)))
        #expect(failed.state == .failed)
        #expect(failed.reason.hasPrefix("stored job could not be loaded: data.batch_size"))
        #expect(actions.contains(.jobEnded(JobID(7), state: .failed, reason: failed.reason)))
        #expect(actions.contains { if case .dropJob(JobID(7), _) = $0 { true } else { false } })
        #expect(restored.job(good)?.state == .running)
        #expect(restored.takeChanges().jobs.map(\.id) == [JobID(7)])
        // An unreadable record's stand-in shows as FAILED and keeps its number.
        let standIn = JobRecord.unloadable(id: JobID(9), name: "x", submittedAt: 3, problem: "the record is not valid JSON")
        #expect(standIn.state == .failed && standIn.reason == "stored job could not be loaded: the record is not valid JSON")
    }
}
