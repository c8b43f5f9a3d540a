import Foundation
import Testing

/// Real processes on fixed loopback ports that can be killed with SIGKILL and started again with the same data dirs.
final class RestartableCluster: @unchecked Sendable {
    let bin: URL
    let dir: URL
    let ports: [Int]
    let workers: Int
    let dataRoot: String
    private var processes: [Process] = []
    private var byName: [String: Process] = [:]
    private var generation = 0
    var coordinator: String { "127.0.0.1:\(ports[0])" }

    init(shards: Int, workers: Int, dataRoot: String) throws {
        bin = try binDirectory()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
        ports = try (0..<shards).map { _ in try Self.freePort() }
        self.workers = workers
        self.dataRoot = dataRoot
    }

    /// A port the kernel just handed out (free for a moment).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw E2EError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts every psd and workerd (again, after `killAll`).
    func start() throws {
        generation += 1
        for i in ports.indices { try startPSD(i) }
        for i in 0..<workers { try startWorker(i) }
    }

    /// Starts psd `i` (ps-0 is the coordinator) on its port with its data dir.
    func startPSD(_ i: Int) throws {
        var arguments = ["--listen", "127.0.0.1:\(ports[i])", "--name", "ps-\(i)", "--data-dir", dir.appendingPathComponent("psd-\(i)").path]
        arguments += i == 0 ? ["--coordinator-self"] : ["--coordinator", coordinator]
        try launch("psd-\(i)", "psd", arguments)
    }

    /// Starts workerd `i` with its name (a restarted worker reclaims its task).
    func startWorker(_ i: Int) throws {
        try launch("workerd-\(i)", "workerd", ["--coordinator", coordinator, "--data-root", dataRoot, "--name", "worker-\(i)"])
    }

    /// SIGKILL one process by name (e.g. "psd-1") and reap it.
    func kill9(_ name: String) {
        guard let p = byName[name] else { return }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    /// SIGKILL every process (no graceful shutdown) and reap them.
    func killAll() {
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in processes { p.waitUntilExit() }
        processes.removeAll()
    }

    private func launch(_ name: String, _ binary: String, _ arguments: [String]) throws {
        let process = try startProcess(bin.appendingPathComponent(binary), arguments, log: dir.appendingPathComponent("logs/\(name).\(generation).log"))
        processes.append(process)
        byName[name] = process
    }

    /// The text of every log of one process, all generations.
    func logs(_ name: String) -> String {
        (1...generation).map { (try? String(contentsOf: dir.appendingPathComponent("logs/\(name).\($0).log"), encoding: .utf8)) ?? "" }.joined()
    }

    /// Runs clusterctl against the coordinator.
    func clusterctl(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runClusterctl(bin: bin, coordinator: coordinator, arguments)
    }

    /// Writes `spec` to a file and submits it, retrying while the coordinator is still starting; returns the job id.
    func submit(_ spec: String, name: String) throws -> String {
        let file = dir.appendingPathComponent("\(name).yaml")
        try spec.write(to: file, atomically: true, encoding: .utf8)
        var submitted: (status: Int32, stdout: String, stderr: String) = (1, "", "")
        for _ in 0..<100 {
            submitted = try clusterctl(["submit", file.path, "--json"])
            if submitted.status == 0 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        guard submitted.status == 0, let id = try jsonObject(submitted.stdout)["id"] as? String else {
            throw E2EError("submit \(name) failed: \(submitted.stderr)")
        }
        return id
    }

    /// `describe --json` of a job, or nil while the coordinator does not answer.
    func describe(_ id: String) -> [String: Any]? {
        guard let out = try? clusterctl(["describe", id, "--json"]), out.status == 0 else { return nil }
        return try? jsonObject(out.stdout)
    }

    /// Polls `describe` until `condition` holds (nil on timeout).
    func waitFor(_ id: String, seconds: Double, _ condition: ([String: Any]) -> Bool) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let job = describe(id), condition(job) { return job }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }

    /// The pulled variables of a job: name → values.
    func variables(_ id: String) throws -> [String: [Double]] {
        let out = try clusterctl(["pull", id, "--json"])
        guard out.status == 0, let list = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]] else {
            throw E2EError("pull \(id) failed: \(out.stderr)")
        }
        var result: [String: [Double]] = [:]
        for v in list { if let name = v["name"] as? String, let values = v["values"] as? [Double] { result[name] = values } }
        return result
    }

    deinit { killAll() }
}

extension EndToEndProcesses {
/// Kill -9 every process of a running cluster, start them again with the same data dirs: the job continues from
/// its latest usable checkpoint without being resubmitted, and ends where an uninterrupted run ends.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct ResumeEndToEndTests {
    static func spec(name: String) -> String {
        """
        name: \(name)
        \(cancerLogisticJob)
        training:
          mode: sync
          replicas_to_aggregate: 2
          max_steps: 1500
          seed: 11
          checkpoint: {every_steps: 150, keep: 3}
        cluster: {workers: 2, ps_shards: 2}
        """
    }

    @Test func aKilledClusterResumesFromItsCheckpointAndEndsLikeAnUninterruptedRun() throws {
        let cluster = try RestartableCluster(shards: 2, workers: 2, dataRoot: testDataRoot())
        try cluster.start()
        let id = try cluster.submit(Self.spec(name: "resumed"), name: "resumed")

        // Two checkpoints committed, the job still running: kill everything.
        let manifests = cluster.dir.appendingPathComponent("psd-0/jobs/\(id)/checkpoints")
        func committed() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: manifests.path)) ?? []).filter { $0.hasSuffix(".json") }.count
        }
        let running = cluster.waitFor(id, seconds: 120) { job in committed() >= 2 && job["state"] as? String == "RUNNING" }
        try #require(running != nil, "no second checkpoint; logs in \(cluster.dir.path)/logs")
        cluster.killAll()

        // Corrupt the newest checkpoint's file on ps-1: the restore must detect it and use the previous one.
        let names = try FileManager.default.contentsOfDirectory(atPath: manifests.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names.count >= 2 && names.count <= 3, "kept manifests: \(names)")
        let newest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifests.appendingPathComponent(names.last!))) as? [String: Any])
        let previous = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifests.appendingPathComponent(names[names.count - 2]))) as? [String: Any])
        let files = try #require(newest["shards"] as? [[String: Any]])
        let victim = try #require(files.first { $0["node"] as? String == "ps-1" }?["path"] as? String)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
        bytes[bytes.count - 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: victim))

        try cluster.start()
        let done = cluster.waitFor(id, seconds: 180) { ["SUCCEEDED", "FAILED", "CANCELLED"].contains($0["state"] as? String ?? "") }
        let final = try #require(done, "the resumed job did not end; logs in \(cluster.dir.path)/logs")
        #expect(final["state"] as? String == "SUCCEEDED", "\(final["reason"] ?? "")")
        #expect(final["step"] as? Int == 1500)
        let coordinatorLog = cluster.logs("psd-0")
        #expect(coordinatorLog.contains("coordinator state restored"))
        #expect(coordinatorLog.contains("checkpoint unusable"), "the corrupt checkpoint was not detected")
        #expect(coordinatorLog.contains("job restored from checkpoint"))
        let restoredVersion = try #require(previous["version"] as? Int)
        #expect(coordinatorLog.contains("version=\(restoredVersion)") || coordinatorLog.contains("version: \(restoredVersion)"))
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(cluster.clusterctl(["jobs", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(jobs.count == 1, "the job was resubmitted or duplicated")

        // The same job straight through, on the same cluster: the same variables (sync, fixed seeds).
        let straightFile = cluster.dir.appendingPathComponent("straight.yaml")
        try Self.spec(name: "straight").write(to: straightFile, atomically: true, encoding: .utf8)
        let straight = try cluster.clusterctl(["submit", straightFile.path, "--follow", "--json"])
        #expect(straight.status == 0, "straight run failed: \(straight.stderr)")
        let straightID = try #require(try jsonObject(straight.stdout)["id"] as? String)
        let a = try cluster.variables(id), b = try cluster.variables(straightID)
        #expect(!a.isEmpty && Set(a.keys) == Set(b.keys))
        for (name, values) in a {
            let other = b[name] ?? []
            let gap = zip(values, other).map { abs($0 - $1) }.max() ?? .infinity
            #expect(values.count == other.count && gap < 1e-4, "\(name) differs by \(gap)")
        }
        let lossA = (final["metrics"] as? [String: Any])?["loss"] as? Double
        let lossB = ((try? jsonObject(straight.stdout))?["metrics"] as? [String: Any])?["loss"] as? Double
        #expect(lossA != nil && lossB != nil && abs(lossA! - lossB!) < 1e-3, "loss resumed \(lossA ?? -1) vs straight \(lossB ?? -1)")
        cluster.killAll()
    }

    @Test func aKilledShardIsRestoredWhenItComesBackAndTheJobFinishes() throws {
        let cluster = try RestartableCluster(shards: 2, workers: 2, dataRoot: testDataRoot())
        try cluster.start()
        let id = try cluster.submit(Self.spec(name: "shard-loss").replacingOccurrences(of: "max_steps: 1500", with: "max_steps: 2500"), name: "shard-loss")
        let checkpointed = cluster.waitFor(id, seconds: 120) { job in
            (job["checkpoint"] as? [String: Any]) != nil && job["state"] as? String == "RUNNING"
        }
        try #require(checkpointed != nil, "no checkpoint; logs in \(cluster.dir.path)/logs")

        cluster.kill9("psd-1")
        let recovering = cluster.waitFor(id, seconds: 60) { $0["state"] as? String == "RECOVERING" }
        #expect(recovering != nil, "the job never showed RECOVERING; logs in \(cluster.dir.path)/logs")
        try cluster.startPSD(1)
        let done = cluster.waitFor(id, seconds: 180) { ["SUCCEEDED", "FAILED", "CANCELLED"].contains($0["state"] as? String ?? "") }
        let final = try #require(done, "the job did not end after the shard came back; logs in \(cluster.dir.path)/logs")
        #expect(final["state"] as? String == "SUCCEEDED", "\(final["reason"] ?? "")")
        #expect(final["step"] as? Int == 2500)
        #expect(cluster.logs("psd-0").contains("job restored from checkpoint"))
        let accuracy = (final["metrics"] as? [String: Any])?["accuracy"] as? Double ?? 0
        #expect(accuracy >= 0.95, "held-out accuracy \(accuracy)")
        cluster.killAll()
    }

    @Test func aKilledCoordinatorComesBackFromItsStoreAndTheJobFinishes() throws {
        let cluster = try RestartableCluster(shards: 2, workers: 2, dataRoot: testDataRoot())
        try cluster.start()
        let id = try cluster.submit(Self.spec(name: "coordinator-loss").replacingOccurrences(of: "max_steps: 1500", with: "max_steps: 2500"), name: "coordinator-loss")
        let checkpointed = cluster.waitFor(id, seconds: 120) { job in
            (job["checkpoint"] as? [String: Any]) != nil && job["state"] as? String == "RUNNING"
        }
        try #require(checkpointed != nil, "no checkpoint; logs in \(cluster.dir.path)/logs")

        cluster.kill9("psd-0")  // the coordinator and one shard
        Thread.sleep(forTimeInterval: 2)
        try cluster.startPSD(0)
        let done = cluster.waitFor(id, seconds: 180) { ["SUCCEEDED", "FAILED", "CANCELLED"].contains($0["state"] as? String ?? "") }
        let final = try #require(done, "the job did not end after the coordinator came back; logs in \(cluster.dir.path)/logs")
        #expect(final["state"] as? String == "SUCCEEDED", "\(final["reason"] ?? "")")
        #expect(final["step"] as? Int == 2500)
        #expect(cluster.logs("psd-0").contains("coordinator state restored"))
        let nodes = try #require(try JSONSerialization.jsonObject(with: Data(cluster.clusterctl(["nodes", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(nodes.count == 4, "nodes kept their identity: \(nodes.map { $0["name"] ?? "" })")
        cluster.killAll()
    }

    @Test func aKilledWorkerOfASyncJobWithABackupRejoinsAndTheJobFinishes() throws {
        let cluster = try RestartableCluster(shards: 2, workers: 3, dataRoot: testDataRoot())
        try cluster.start()
        let id = try cluster.submit(Self.spec(name: "worker-loss")
            .replacingOccurrences(of: "replicas_to_aggregate: 2", with: "replicas_to_aggregate: 2\n  backup_workers: 1")
            .replacingOccurrences(of: "max_steps: 1500", with: "max_steps: 2500")
            .replacingOccurrences(of: "workers: 2,", with: "workers: 3,"), name: "worker-loss")
        let started = cluster.waitFor(id, seconds: 120) { ($0["step"] as? Int ?? 0) >= 300 && $0["state"] as? String == "RUNNING" }
        try #require(started != nil, "the job did not start; logs in \(cluster.dir.path)/logs")

        cluster.kill9("workerd-1")
        let before = cluster.describe(id)?["step"] as? Int ?? 0
        let moved = cluster.waitFor(id, seconds: 30) { ($0["step"] as? Int ?? 0) > before + 20 }
        #expect(moved != nil, "the job stalled without its worker (N of N + b) at step \(before)")
        try cluster.startWorker(1)
        let done = cluster.waitFor(id, seconds: 180) { ["SUCCEEDED", "FAILED", "CANCELLED"].contains($0["state"] as? String ?? "") }
        let final = try #require(done, "the job did not end; logs in \(cluster.dir.path)/logs")
        #expect(final["state"] as? String == "SUCCEEDED", "\(final["reason"] ?? "")")
        #expect(final["step"] as? Int == 2500)
        let accuracy = (final["metrics"] as? [String: Any])?["accuracy"] as? Double ?? 0
        #expect(accuracy >= 0.95, "held-out accuracy \(accuracy)")
        #expect(cluster.logs("workerd-1").contains("continuing the job from its current step"), "the restarted worker did not rejoin its task")
        cluster.killAll()
    }
}
}
