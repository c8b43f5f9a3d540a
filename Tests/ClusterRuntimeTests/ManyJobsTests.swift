import ClusterAPI
import Foundation
import GRPCCore
import Logging
import Testing

@testable import ClusterRuntime
@testable import Coordinator
@testable import CoordinatorStore

/// A coordinator with 5,000 stored jobs: restarts, pages and counts them, serves workers without rewriting them,
/// and applies retention at startup. Timings are printed, never asserted.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ManyJobsTests {
    static let stored = 5000

    /// A data dir holding `stored` ended jobs and one pending job (the newest).
    static func seededStore() throws -> String {
        let dir = temporaryFolder("tessera-many")
        var config = CoordinatorConfig()
        config.jobRetention = 0  // every job stays: the tests restart with their own retention
        var coordinator = try Coordinator(config: config)
        let spec = try JobSpecParser.parse(yaml: syntheticSpecYAML())
        for i in 0..<stored { _ = try coordinator.cancel(try coordinator.submit(spec, now: Double(i)).id, now: Double(i)) }
        _ = try coordinator.submit(spec, now: Double(stored))
        try CoordinatorStore(directory: dir).save(coordinator.takeChanges())
        return dir
    }

    static var logger: Logger {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        return logger
    }

    func getTask(_ service: CoordinatorService, _ identity: NodeIdentity) async throws -> Tessera_V1_GetTaskResponse {
        try await withServerContextRPCCancellationHandle { handle in
            let context = ServerContext(
                descriptor: Tessera_V1_Coordinator.Method.GetTask.descriptor, remotePeer: "test", localPeer: "test", cancellation: handle)
            return try await service.getTask(request: .with { $0.nodeID = identity.id; $0.nodeSecret = identity.secret }, context: context)
        }
    }

    @Test func workersAreServedWithoutRewritingStoredJobs() async throws {
        let dir = try Self.seededStore()
        let clock = ContinuousClock()
        var opened: CoordinatorService?
        let restart = try clock.measure {
            opened = try CoordinatorService(
                name: "ps-0", dataDir: dir, heartbeatInterval: .seconds(1), heartbeatTimeout: .seconds(10), jobRetention: 0, logger: Self.logger)
        }
        let service = try #require(opened)
        let counts = try service.readState { $0.jobCounts }
        #expect(counts.cancelled == Self.stored && counts.pending == 1)

        _ = try await service.register(.with { $0.name = "ps-0"; $0.role = .ps; $0.address = "127.0.0.1:1" }, trusted: true)
        let answer = try await service.register(.with { $0.name = "w-0"; $0.role = .worker })
        let identity = NodeIdentity(id: answer.nodeID, secret: answer.nodeSecret)
        let first = try await getTask(service, identity)
        #expect(first.task.jobID == "job-\(Self.stored + 1)")
        let before = service.store.rowsWritten
        var latencies: [Duration] = []
        for _ in 0..<200 {
            let started = clock.now
            let again = try await getTask(service, identity)
            latencies.append(clock.now - started)
            #expect(again.task.jobID == first.task.jobID)
        }
        // The same task again: nothing changed, so nothing is written (O(changed), not O(stored jobs)).
        #expect(service.store.rowsWritten == before)
        #expect(try service.store.jobCount() == Self.stored + 1)
        latencies.sort()
        // What each GetTask cost before saves were O(changed): a snapshot of every job, each encoded to compare.
        let snapshotAndEncode = try clock.measure {
            _ = try service.readState { $0.snapshot() }.jobs.map { CoordinatorStore.encode($0) }
        }
        print("\(Self.stored) stored jobs: CoordinatorService restart \(restart), GetTask median \(latencies[100]), p99 \(latencies[198]); snapshot+encode of all jobs \(snapshotAndEncode)")
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func listJobsPagesAndCountsOverGRPC() async throws {
        let dir = try Self.seededStore()
        let clock = ContinuousClock()
        var started: (ParameterServerDaemon, CoordinatorClient)?
        let restart = try await clock.measure { started = try await startCoordinator(dataDir: dir, jobRetention: 0) }
        let (daemon, client) = try #require(started)
        var page = Tessera_V1_ListJobsResponse()
        let listing = try await clock.measure { page = try await client.jobPage() }
        #expect(page.total == Int32(Self.stored + 1) && page.jobs.count == JobQuery.defaultPage)
        #expect(page.jobs.first?.id == "job-\(Self.stored + 1)" && page.jobs.last?.id == "job-\(Self.stored + 2 - JobQuery.defaultPage)")
        #expect(try await client.jobPage(limit: 5000).jobs.count == JobQuery.maxPage)
        let pending = try await client.jobPage(state: "PENDING")
        #expect(pending.total == 1 && pending.jobs.map(\.id) == ["job-\(Self.stored + 1)"])
        let status = try await client.status()
        #expect(status.jobsCancelled == Int32(Self.stored) && status.jobsPending == 1)
        print("\(Self.stored) stored jobs: psd restart to serving \(restart), ListJobs default page \(listing)")
        client.close()
        await daemon.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func retentionAtStartupKeepsTheNewestEndedJobs() async throws {
        let dir = try Self.seededStore()
        let service = try CoordinatorService(
            name: "ps-0", dataDir: dir, heartbeatInterval: .seconds(1), heartbeatTimeout: .seconds(10), jobRetention: 1000, logger: Self.logger)
        let (counts, oldest) = try service.readState { state in (state.jobCounts, state.jobs(state: .cancelled, limit: 1000).jobs.last?.id) }
        #expect(counts.cancelled == 1000 && counts.pending == 1)
        #expect(oldest == JobID(UInt64(Self.stored - 999)))
        #expect(try service.store.jobCount() == 1001)
        await service.performStartupActions()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
