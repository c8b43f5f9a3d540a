import Coordinator
import Foundation
import Testing

@testable import CoordinatorStore

/// Damaged rows, file modes, and saves that cost what changed — not what is stored.
@Suite("CoordinatorStore robustness")
struct CoordinatorStoreRobustnessTests {
    /// Keeps every ended job (retention applies as jobs end; these tests count what the store holds).
    static var keepAll: CoordinatorConfig {
        var config = CoordinatorConfig()
        config.jobRetention = 0
        return config
    }

    static func coordinatorWithJobs(_ count: Int, cancelled: Bool = true) throws -> Coordinator {
        var coordinator = try Coordinator(config: keepAll)
        _ = try coordinator.register(NodeInfo(name: "ps-0", role: .ps, address: "127.0.0.1:7070"), now: 1)
        for i in 0..<count {
            let id = try coordinator.submit(CoordinatorStoreTests.spec, now: Double(i))
            if cancelled { _ = try coordinator.cancel(id.id, now: Double(i) + 0.5) }
        }
        return coordinator
    }

    @Test func aDamagedJobRowLoadsAsAFailedStandInAndTheRestLoads() throws {
        let dir = CoordinatorStoreTests.temporaryDirectory()
        var coordinator = try Self.coordinatorWithJobs(3, cancelled: false)
        let store = try CoordinatorStore(directory: dir)
        try store.save(coordinator.takeChanges())
        try store.database.execute("UPDATE jobs SET record = '{\"id\": 2, \"spec\": {\"name\": \"half' WHERE id = 2")
        try store.database.execute("UPDATE jobs SET record = '{\"id\": 3, \"spec\": {\"name\": \"keyless\"}, \"submitted_at\": 7.5}' WHERE id = 3")
        try store.database.execute("INSERT INTO nodes (id, name, record) VALUES (9, 'bad', 'not json')")

        let snapshot = try #require(try CoordinatorStore(directory: dir).load())
        #expect(snapshot.nodes.map(\.info.name) == ["ps-0"])
        #expect(snapshot.jobs.map(\.id) == [JobID(1), JobID(2), JobID(3)])
        #expect(snapshot.jobs[0].state == .pending)
        #expect(snapshot.jobs[1].state == .failed)
        #expect(snapshot.jobs[1].reason == "stored job could not be loaded: the record is not valid JSON")
        #expect(snapshot.jobs[2].state == .failed && snapshot.jobs[2].spec.name == "keyless" && snapshot.jobs[2].submittedAt == 7.5)
        #expect(snapshot.jobs[2].reason.hasPrefix("stored job could not be loaded: ") && snapshot.jobs[2].reason.contains("missing"))
        var restored = try Coordinator(restoring: snapshot, now: 100)
        #expect(try restored.submit(CoordinatorStoreTests.spec, now: 101).id == JobID(4))
    }

    @Test func theDatabaseAndItsWALAreOwnerOnly() throws {
        let dir = CoordinatorStoreTests.temporaryDirectory()
        // A file an older version left world-readable is tightened too.
        FileManager.default.createFile(atPath: dir + "/coordinator.sqlite", contents: nil, attributes: [.posixPermissions: 0o644])
        var coordinator = try Self.coordinatorWithJobs(1)
        let store = try CoordinatorStore(directory: dir)
        try store.save(coordinator.takeChanges())
        for file in ["coordinator.sqlite", "coordinator.sqlite-wal", "coordinator.sqlite-shm"] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: dir + "/" + file)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(file) is \(String(mode, radix: 8))")
        }
    }

    @Test func savesWriteOnlyWhatChangedAndDeletesRemoveRows() throws {
        let dir = CoordinatorStoreTests.temporaryDirectory()
        var coordinator = try Self.coordinatorWithJobs(50)
        let store = try CoordinatorStore(directory: dir)
        try store.save(coordinator.takeChanges())
        let afterFirst = store.rowsWritten
        #expect(afterFirst == 1 + 50 + 1)  // the node, 50 jobs, the counter
        try store.save(coordinator.takeChanges())
        #expect(store.rowsWritten == afterFirst)  // nothing changed, nothing written
        let id = try coordinator.submit(CoordinatorStoreTests.spec, now: 60).id
        try store.save(coordinator.takeChanges())
        #expect(store.rowsWritten == afterFirst + 2)  // the new job and the counter
        _ = try coordinator.cancel(id, now: 61)
        _ = try coordinator.delete(JobID(1), force: false, now: 61)
        try store.save(coordinator.takeChanges())
        #expect(store.rowsWritten == afterFirst + 4)
        #expect(try store.jobCount() == 50)
        let reloaded = try #require(try CoordinatorStore(directory: dir).load())
        #expect(reloaded.jobs.count == 50 && !reloaded.jobs.contains { $0.id == JobID(1) })
        #expect(reloaded.jobs.first { $0.id == id }?.state == .cancelled)
    }

    @Test func fiveThousandJobsSaveAndLoad() throws {
        let dir = CoordinatorStoreTests.temporaryDirectory()
        var coordinator = try Self.coordinatorWithJobs(5000)
        let store = try CoordinatorStore(directory: dir)
        let clock = ContinuousClock()
        let saved = try clock.measure { try store.save(coordinator.takeChanges()) }
        var loaded: CoordinatorSnapshot?
        let load = try clock.measure { loaded = try CoordinatorStore(directory: dir).load() }
        let snapshot = try #require(loaded)
        #expect(snapshot.jobs.count == 5000)
        var restored = try Coordinator(restoring: snapshot, config: Self.keepAll, now: 10_000)
        #expect(restored.takeChanges().isEmpty)
        #expect(restored.jobCounts.cancelled == 5000)
        print("5000 jobs: first save \(saved), load \(load)")
    }
}
