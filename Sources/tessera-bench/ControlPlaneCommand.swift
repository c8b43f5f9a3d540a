import ArgumentParser
import ClusterRuntime
import Foundation

/// `tessera-bench control-plane`: N simulated workers (in-process clients) register, heartbeat and poll for tasks
/// against one real coordinator psd whose store holds many finished jobs; reports each RPC's latency, psd's CPU and
/// memory, and how long psd takes to answer again after SIGKILL.
struct ControlPlaneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control-plane",
        abstract: "Simulated workers against one coordinator psd holding many finished jobs: RPC latency, coordinator CPU, restart time.")

    /// Named bounds on the options.
    static let maxNodes = 100_000, maxChannels = 1000, maxSeconds = 3600

    @Option(help: "Simulated workers.")
    var nodes = 1000
    @Option(help: "Seconds of heartbeats and task polls measured (after every node registered).")
    var seconds = 30
    @Option(help: "SUCCEEDED jobs written into the coordinator's store before psd starts.")
    var jobs = 10_000
    @Option(help: "Shared gRPC channels the simulated workers use (node i uses channel i mod channels).")
    var channels = 16
    @Option(help: "How long the coordinator may hold each GetTask, in ms (workerd's long poll: its default, 20000); 0: a short poll every 250 ms, as workerd did before.")
    var taskWaitMs = 20_000
    @Option(help: "Worker slots of the job submitted two thirds into the window: how long until every slot reached a worker (0: no job).")
    var pickupWorkers = 50
    @Option(help: "Where psd is (default: beside tessera-bench).")
    var binDir: String?

    func run() async throws {
        guard (1...Self.maxNodes).contains(nodes) else { throw BenchFailure("--nodes must be 1…\(Self.maxNodes), got \(nodes)") }
        guard (1...Self.maxChannels).contains(channels) else { throw BenchFailure("--channels must be 1…\(Self.maxChannels), got \(channels)") }
        guard (1...Self.maxSeconds).contains(seconds) else { throw BenchFailure("--seconds must be 1…\(Self.maxSeconds), got \(seconds)") }
        guard (0...30_000).contains(taskWaitMs) else { throw BenchFailure("--task-wait-ms must be 0…30000, got \(taskWaitMs)") }
        guard (0...nodes).contains(pickupWorkers), pickupWorkers <= 4096 else {
            throw BenchFailure("--pickup-workers must be 0…min(--nodes, 4096), got \(pickupWorkers)")
        }
        let bin = binDir.map { URL(fileURLWithPath: $0) } ?? BenchCluster.defaultBinDirectory()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-control-plane-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dataDir = dir.appendingPathComponent("psd-0").path
        let psd = try ControlPlanePSD(bin: bin, dataDir: dataDir, logDir: dir)
        defer { psd.stop() }
        let loadBefore = loadAverage()

        let seedSeconds = try ControlPlaneStore.seed(dataDir: dataDir, count: jobs)
        print(String(format: "seeded %d SUCCEEDED jobs into the store in %.2f s", jobs, seedSeconds))
        let firstStart = try await timeStart(psd)
        print(String(format: "psd started on %d stored jobs: answers health in %.3f s, lists all jobs in %.3f s", jobs, firstStart.health, firstStart.jobs))

        let clients = try (0..<channels).map { _ in try CoordinatorClient(address: firstStart.address) }
        let registered = try await ControlPlaneLoad.registerAll(clients, nodes: nodes)
        print("\(registered.identities.count) nodes registered (heartbeat interval \(registered.heartbeat), GetTask \(taskWaitMs > 0 ? "long poll of \(taskWaitMs) ms" : "poll every \(ControlPlaneLoad.defaultPoll)"))")

        let clock = ContinuousClock()
        let cpuBefore = psd.cpuSeconds()
        let benchCPUBefore = BenchOutput.processCPUSeconds()
        let started = clock.now
        let pickup = Task { try await submitPickupJob(clients[0], at: started + .seconds(Double(seconds) * 2 / 3)) }
        let samples = await ControlPlaneLoad.run(clients, identities: registered.identities, heartbeat: registered.heartbeat,
                                                 taskWait: .milliseconds(taskWaitMs), until: started + .seconds(seconds))
        let submittedAt = try await pickup.value
        let pickupSeconds = submittedAt.map { at in samples.taskReceivedAt.map { BenchOutput.seconds($0 - at) } } ?? []
        let wall = BenchOutput.seconds(clock.now - started)
        let cpuAfter = psd.cpuSeconds()
        let benchCores = (BenchOutput.processCPUSeconds() - benchCPUBefore) / wall
        let memory = psd.memoryMiB()
        let cores = cpuBefore.flatMap { before in cpuAfter.map { ($0 - before) / wall } }
        for client in clients { client.close() }

        psd.kill9()
        let restart = try await timeStart(psd)
        psd.stop()

        try report(samples: samples, pickup: pickupSeconds, register: registered.samples, wall: wall, cores: cores, benchCores: benchCores, memory: memory,
                   firstStart: firstStart, restart: restart, seedSeconds: seedSeconds, loadBefore: loadBefore)
    }

    /// Submits a job of `pickupWorkers` slots at `instant` (none when 0); returns when it was submitted.
    private func submitPickupJob(_ client: CoordinatorClient, at instant: ContinuousClock.Instant) async throws -> ContinuousClock.Instant? {
        guard pickupWorkers > 0 else { return nil }
        try await Task.sleep(until: instant, clock: ContinuousClock())
        let yaml = """
            name: pickup
            model: {type: linear}
            data: {format: synthetic, samples: 64, weights: [2.0], bias: 1.0, batch_size: 8}
            optimizer: {type: sgd, learning_rate: 0.1}
            training: {mode: async, max_steps: 100}
            cluster: {workers: \(pickupWorkers)}
            """
        let submitted = ContinuousClock.now
        _ = try await client.submit(yaml: yaml)
        return submitted
    }

    /// Starts psd and times it: until its port file, a SERVING health answer, and a ListJobs whose total counts every
    /// seeded job.
    private func timeStart(_ psd: ControlPlanePSD) async throws -> (address: HostPort, health: Double, jobs: Double) {
        let clock = ContinuousClock()
        let started = clock.now
        let address = try psd.start()
        let deadline = started + .seconds(60)
        while await HealthProbe.check(address, security: .none, timeout: .seconds(1)) != .serving {
            guard clock.now < deadline else { throw BenchFailure("psd did not answer health within 60 s (logs in \(psd.logDir.path))") }
            try await Task.sleep(for: .milliseconds(5))
        }
        let health = BenchOutput.seconds(clock.now - started)
        let client = try CoordinatorClient(address: address)
        defer { client.close() }
        while true {
            if let page = try? await client.jobPage(limit: 1), page.total >= jobs { break }
            guard clock.now < deadline else { throw BenchFailure("psd did not list \(jobs) jobs within 60 s (logs in \(psd.logDir.path))") }
            try await Task.sleep(for: .milliseconds(5))
        }
        return (address, health, BenchOutput.seconds(clock.now - started))
    }

    private func report(samples: ControlPlaneLoad.NodeSamples, pickup: [Double], register: [Double], wall: Double, cores: Double?, benchCores: Double,
                        memory: (rss: Double, peak: Double)?, firstStart: (address: HostPort, health: Double, jobs: Double),
                        restart: (address: HostPort, health: Double, jobs: Double), seedSeconds: Double, loadBefore: Double) throws {
        func ms(_ x: Double) -> String { x.isFinite ? String(format: "%.2f", x) : "-" }
        let getTaskName = taskWaitMs > 0 ? "GetTask answered before its wait" : "GetTask"
        var rpcs: [(name: String, samples: [Double], perSecond: Bool)] = [
            ("Register (burst of \(nodes))", register, false), ("Heartbeat", samples.heartbeat, true), (getTaskName, samples.getTask, true),
        ]
        if taskWaitMs > 0 { rpcs.append(("GetTaskHeld \(taskWaitMs) ms: answered past its wait by", samples.heldOvershoot, true)) }
        if !pickup.isEmpty { rpcs.append(("Pickup (submit to task at the worker, \(pickup.count) of \(pickupWorkers) slots)", pickup, false)) }
        var rows: [[String]] = []
        var json: [[String: Any]] = []
        var p99: [String: Double] = [:]
        for rpc in rpcs {
            let (p50, p99v, max) = (ControlPlaneLoad.quantileMs(rpc.samples, 0.5), ControlPlaneLoad.quantileMs(rpc.samples, 0.99),
                                    ControlPlaneLoad.quantileMs(rpc.samples, 1))
            let rate = rpc.perSecond ? Double(rpc.samples.count) / wall : .nan
            rows.append([rpc.name, "\(rpc.samples.count)", rpc.perSecond ? String(format: "%.0f", rate) : "-", ms(p50), ms(p99v), ms(max)])
            let key = rpc.name.split(separator: " ").first.map(String.init) ?? rpc.name
            p99[key] = BenchOutput.round3(p99v)
            func number(_ x: Double) -> Any { x.isFinite ? BenchOutput.round3(x) : NSNull() }  // no samples: null
            json.append(["rpc": key, "calls": rpc.samples.count, "calls_per_s": rpc.perSecond ? number(rate) : NSNull(),
                         "p50_ms": number(p50), "p99_ms": number(p99v), "max_ms": number(max)])
        }
        print("")
        BenchOutput.printTable(["RPC", "calls", "calls/s", "p50 ms", "p99 ms", "max ms"], rows)
        let callsPerSecond = Double(samples.heartbeat.count + samples.getTask.count + samples.heldOvershoot.count) / wall
        let failures = samples.failures.values.reduce(0, +)
        print("")
        print(String(format: "window %.1f s, %.0f calls/s; coordinator psd %@ cores, RSS %@ MiB (peak %@); tessera-bench's own clients %.2f cores",
                     wall, callsPerSecond, cores.map { String(format: "%.2f", $0) } ?? "?", memory.map { String(format: "%.0f", $0.rss) } ?? "?",
                     memory.map { String(format: "%.0f", $0.peak) } ?? "?", benchCores))
        print("failed calls: \(failures) \(samples.failures.isEmpty ? "" : "\(samples.failures)"); tasks offered: \(samples.tasksOffered); re-register requests: \(samples.reregisterRequests)")
        print(String(format: "restart after SIGKILL on %d jobs + %d nodes: health answers in %.3f s, all jobs listed in %.3f s", jobs, nodes, restart.health, restart.jobs))
        print(String(format: "load average before %.2f (2-core machine: the simulated clients share the cores with psd)", loadBefore))
        let object: [String: Any] = [
            "bench": "control-plane", "nodes": nodes, "jobs": jobs, "channels": channels, "seconds": BenchOutput.round3(wall),
            "task_wait_ms": taskWaitMs, "pickup_workers": pickupWorkers,
            "rpcs": json, "calls_per_s": BenchOutput.round3(callsPerSecond), "coordinator_cores": cores.map(BenchOutput.round3) ?? NSNull(),
            "coordinator_rss_mib": memory.map { BenchOutput.round3($0.rss) } ?? NSNull(),
            "coordinator_peak_rss_mib": memory.map { BenchOutput.round3($0.peak) } ?? NSNull(),
            "bench_client_cores": BenchOutput.round3(benchCores), "failed_calls": failures,
            "first_start_health_s": BenchOutput.round3(firstStart.health), "first_start_jobs_s": BenchOutput.round3(firstStart.jobs),
            "restart_health_s": BenchOutput.round3(restart.health), "restart_jobs_s": BenchOutput.round3(restart.jobs),
            "seed_s": BenchOutput.round3(seedSeconds), "load_average_before": loadBefore.isFinite ? loadBefore : NSNull(),
        ]
        try BenchOutput.writeJSON("control-plane", object)
        let p99Text = RawJSON("{" + p99.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value.isFinite ? String(format: "%.3f", $0.value) : "null")" }.joined(separator: ",") + "}")
        print(BenchOutput.result([
            "bench": "control-plane", "nodes": nodes, "jobs": jobs, "task_wait_ms": taskWaitMs, "p99_ms": p99Text, "calls_per_s": callsPerSecond,
            "coordinator_cores": cores as Any, "coordinator_rss_mib": memory?.rss as Any, "restart_s": restart.health,
            "restart_jobs_listed_s": restart.jobs, "failed_calls": failures,
        ]))
    }
}

/// JSON text written as is into the `RESULT` line (BenchOutput.result quotes Strings).
struct RawJSON: CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
