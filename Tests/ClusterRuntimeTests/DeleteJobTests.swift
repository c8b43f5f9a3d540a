import ClusterAPI
import ClusterRuntime
import Foundation
import Logging
import Testing

/// DeleteJob and paged ListJobs through a real cluster: an ended job's record, manifests, event files and shard
/// checkpoint files go; an active job only with force.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DeleteJobTests {
    func files(under path: String) -> [String] {
        (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json") || $0.hasSuffix(".safetensors") }
    }

    @Test func anEndedJobIsForgottenEverywhereAndAnActiveOneOnlyWithForce() async throws {
        let cluster = try await InProcessCluster.start(shards: 2, workers: 1, dataRoot: testDataRoot())
        let client = cluster.client
        let done = try await client.submit(yaml: syntheticSpecYAML(name: "done", maxSteps: 50))
        let ended = try await cluster.waitForEnd(done.id)
        #expect(ended.state == .succeeded)
        let coordinatorDir = cluster.root.appendingPathComponent("ps-0").path
        let jobDir = coordinatorDir + "/jobs/\(done.id)"
        // The final checkpoint: a manifest here, a file on each shard.
        #expect(try await pollUntil { !files(under: jobDir + "/checkpoints").isEmpty })
        let shardFiles = { (0..<2).flatMap { i in files(under: cluster.root.appendingPathComponent("ps-\(i)/checkpoints/\(done.id)").path) } }
        #expect(shardFiles().count == 2)
        let jobsMode = try #require(try FileManager.default.attributesOfItem(atPath: coordinatorDir + "/jobs")[.posixPermissions] as? Int)
        #expect(jobsMode == 0o700)
        for manifest in files(under: jobDir) where manifest.hasSuffix(".json") {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: jobDir + "/" + manifest)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(manifest) is \(String(mode, radix: 8))")
        }

        let running = try await client.submit(yaml: syntheticSpecYAML(name: "long", maxSteps: 10_000_000))
        #expect(try await pollUntil { try await client.job(running.id).state == .running })
        let refused = await statusOf { _ = try await client.delete(running.id) }
        #expect(refused?.code == .failedPrecondition && refused?.message.contains("RUNNING") == true, "\(String(describing: refused))")
        #expect(try await client.job(running.id).state == .running)

        let page = try await client.jobPage(limit: 1)
        #expect(page.total == 2 && page.jobs.map(\.id) == [running.id])
        #expect(try await client.jobPage(state: "succeeded").jobs.map(\.id) == [done.id])
        let badState = await statusOf { _ = try await client.jobPage(state: "finished") }
        #expect(badState?.code == .invalidArgument && badState?.message.contains("succeeded") == true)
        let badLimit = await statusOf { _ = try await client.jobPage(limit: -1) }
        #expect(badLimit?.code == .invalidArgument)

        let deleted = try await client.delete(done.id)
        #expect(deleted.id == done.id && deleted.state == .succeeded)
        #expect(await statusOf { _ = try await client.job(done.id) }?.code == .notFound)
        #expect(!FileManager.default.fileExists(atPath: jobDir))
        #expect(try await pollUntil { shardFiles().isEmpty }, "shard checkpoint files left: \(shardFiles())")
        #expect(await statusOf { _ = try await client.delete(done.id) }?.code == .notFound)

        let forced = try await client.delete(running.id, force: true)
        #expect(forced.state == .cancelled)
        #expect(try await client.jobPage().total == 0)
        let status = try await client.status()
        #expect(status.jobsRunning == 0 && status.jobsCancelled == 0 && status.jobsSucceeded == 0)
        // The cluster still runs jobs, under a new number.
        let next = try await client.submit(yaml: syntheticSpecYAML(name: "after", maxSteps: 20))
        #expect(next.id == "job-3")
        #expect(try await cluster.waitForEnd(next.id).state == .succeeded)
        await cluster.stop()
    }

    @Test func retentionDeletesTheOldestEndedJobAsJobsEnd() async throws {
        let dir = temporaryFolder("tessera-retention")
        let (daemon, client) = try await startCoordinator(dataDir: dir, jobRetention: 1)
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let worker = try WorkerDaemon(
            config: WorkerConfig(coordinator: client.address, dataRoot: testDataRoot(), name: "worker-0", pollInterval: .milliseconds(50)),
            logger: logger)
        worker.start()
        var ids: [String] = []
        for name in ["first", "second"] {
            let job = try await client.submit(yaml: syntheticSpecYAML(name: name, maxSteps: 20))
            ids.append(job.id)
            #expect(try await pollUntil { try await client.job(job.id).state.isFinal })
        }
        #expect(try await pollUntil { try await client.jobPage().jobs.map(\.id) == [ids[1]] })
        #expect(try await pollUntil { !FileManager.default.fileExists(atPath: dir + "/jobs/\(ids[0])") })
        #expect(try await client.status().jobsSucceeded == 1)
        await worker.stop()
        client.close()
        await daemon.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
