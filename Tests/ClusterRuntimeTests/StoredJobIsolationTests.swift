import ClusterAPI
import ClusterRuntime
import Foundation
import Testing

@testable import Coordinator
@testable import CoordinatorStore

/// A coordinator restarted over a store holding jobs this version cannot load or accept serves everything else; those
/// jobs show as FAILED with the reason, and rendering them never traps.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct StoredJobIsolationTests {
    @Test func aStoreWithAnOversizedAndACorruptJobServesTheRest() async throws {
        let dir = temporaryFolder("tessera-isolation")
        do {
            var coordinator = try Coordinator()
            let spec = try JobSpecParser.parse(yaml: syntheticSpecYAML())
            // job-1 ended normally; job-2 and job-4 pending, as an older version stored them: batch 2^31;
            // job-3's record is damaged; job-5 an ordinary pending job.
            _ = try coordinator.cancel(try coordinator.submit(spec, now: 1).id, now: 2)
            for _ in 2...5 { _ = try coordinator.submit(spec, now: 3) }
            for id in [JobID(2), JobID(4)] {
                var old = try #require(coordinator.job(id))
                old.spec.data.batchSize = 2_147_483_648
                if id == JobID(4) { old.state = .cancelled; old.endedAt = 4 }
                coordinator.records[id] = old
            }
            let store = try CoordinatorStore(directory: dir)
            try store.save(coordinator.takeChanges())
            try store.database.execute("UPDATE jobs SET record = substr(record, 1, 40) WHERE id = 3")
        }

        let (daemon, client) = try await startCoordinator(dataDir: dir)
        defer { client.close() }
        let page = try await client.jobPage()
        #expect(page.total == 5 && page.jobs.map(\.id) == ["job-5", "job-4", "job-3", "job-2", "job-1"])
        let byID = Dictionary(uniqueKeysWithValues: page.jobs.map { ($0.id, $0) })
        #expect(byID["job-2"]?.state == .failed)
        #expect(byID["job-2"]?.reason.hasPrefix("stored job could not be loaded: data.batch_size") == true, "\(byID["job-2"]?.reason ?? "")")
        #expect(byID["job-3"]?.state == .failed)
        #expect(byID["job-3"]?.reason == "stored job could not be loaded: the record is not valid JSON")
        // An ended job keeps its state; it renders (numbers clamped), it never runs again.
        #expect(byID["job-4"]?.state == .cancelled)
        #expect(byID["job-5"]?.state == .pending && byID["job-1"]?.state == .cancelled)
        for id in ["job-2", "job-3", "job-4"] { _ = try await client.job(id, withHistory: true) }
        let status = try await client.status()
        #expect(status.jobsFailed == 2 && status.jobsPending == 1 && status.jobsCancelled == 2)

        // A worker gets the good job, never the failed ones.
        let registered = try await client.register(.with { $0.name = "w-0"; $0.role = .worker })
        let identity = NodeIdentity(id: registered.nodeID, secret: registered.nodeSecret)
        let task = try await client.task(identity)
        #expect(task.task.jobID == "job-5")

        // The next restart finds the same picture (the FAILED state was stored).
        await daemon.stop()
        try await Task.sleep(for: .milliseconds(300))
        let (again, client2) = try await startCoordinator(dataDir: dir)
        let states = try await client2.jobs().map { "\($0.id)=\($0.state.displayName)" }
        #expect(states == ["job-5=PENDING", "job-4=CANCELLED", "job-3=FAILED", "job-2=FAILED", "job-1=CANCELLED"])
        client2.close()
        await again.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
