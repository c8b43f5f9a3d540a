import ClusterAPI
import ClusterRuntime
import Foundation

/// The cluster of `tessera-bench scale-workers`: one coordinator psd (also shard ps-0), optional further psd
/// shards, and many workerd processes each drawing a simulated compute time per step (`--step-delay`, seeded
/// per worker). Every process is registered with `ScaleWorkersChildren`, so SIGINT/SIGTERM to the benchmark
/// kills them too; `stop()` (also run by `deinit`) ends them with SIGTERM, then SIGKILL.
final class ScaleWorkersCluster {
    let bin: URL
    let dir: URL
    private var processes: [(name: String, process: Process)] = []
    private var client: CoordinatorClient?

    /// Prepares a scratch directory for logs and state; `bin` holds psd and workerd.
    init(bin: URL) throws {
        self.bin = bin
        dir = try BenchProcesses.scratch(bin: bin, prefix: "tessera-scale")
    }

    /// Starts the coordinator psd (heartbeat timeout `heartbeatTimeout` s, so 50 processes loading data on 2
    /// cores are not declared dead), `shards − 1` further psd, and `workers` workerd named worker-0… with
    /// `--step-delay delay --step-delay-seed seed+i`; waits until every node is alive.
    func start(dataRoot: String, shards: Int, workers: Int, delay: String, seed: UInt64, heartbeatTimeout: Int) async throws {
        let portFile = dir.appendingPathComponent("coordinator").path
        try launch("psd-0", "psd", ["--listen", "127.0.0.1:0", "--coordinator-self", "--name", "ps-0",
                                    "--data-dir", dir.appendingPathComponent("psd-0").path, "--port-file", portFile,
                                    "--heartbeat-timeout", String(heartbeatTimeout), "--log-level", "warning"])
        let address = try HostPort(parsing: try waitForFile(portFile))
        for s in 1..<max(shards, 1) {
            try launch("psd-\(s)", "psd", ["--listen", "127.0.0.1:0", "--coordinator", "\(address)", "--name", "ps-\(s)",
                                           "--data-dir", dir.appendingPathComponent("psd-\(s)").path, "--log-level", "warning"])
        }
        for i in 0..<workers {
            let workerSeed = seed &+ UInt64(i)  // wraps: any 64-bit value is a seed
            try launch("workerd-\(i)", "workerd", ["--coordinator", "\(address)", "--data-root", dataRoot, "--name", "worker-\(i)",
                                                   "--step-delay", delay, "--step-delay-seed", String(workerSeed),
                                                   "--log-level", "warning"])
        }
        let client = try CoordinatorClient(address: address)
        self.client = client
        let expected = max(shards, 1) + workers
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let exited = processes.first(where: { !$0.process.isRunning }) {
                throw BenchFailure("\(exited.name) exited (status \(exited.process.terminationStatus)); logs in \(dir.path)/logs")
            }
            if let status = try? await client.status(), status.nodes.filter({ $0.state == .alive }).count >= expected { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw BenchFailure("the cluster did not come up within 120 s (\(expected) nodes); logs in \(dir.path)/logs")
    }

    /// The control-plane client (after `start`).
    var api: CoordinatorClient {
        get throws {
            guard let client else { throw BenchFailure("the cluster is not started") }
            return client
        }
    }

    /// CPU seconds (user + system) the cluster's processes have used so far: all of them, and the psd alone.
    func cpuSeconds() -> (all: Double, psd: Double) {
        var all = 0.0, psd = 0.0
        for (name, process) in processes {
            let seconds = Self.cpuSeconds(pid: process.processIdentifier) ?? 0
            all += seconds
            if name.hasPrefix("psd") { psd += seconds }
        }
        return (all, psd)
    }

    /// Resident memory of all the cluster's processes together, in MiB (VmRSS from /proc).
    func residentMiB() -> Double {
        processes.reduce(0) { sum, entry in
            guard let text = try? String(contentsOfFile: "/proc/\(entry.process.processIdentifier)/status", encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                let kib = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap({ Double($0) })
            else { return sum }
            return sum + kib / 1024
        }
    }

    /// Processes that are no longer running (crashes mid-run), as "workerd-17 (signal 11)".
    var exitedProcesses: [String] {
        processes.filter { !$0.process.isRunning }.map { name, process in
            "\(name) (\(process.terminationReason == .uncaughtSignal ? "signal" : "exit status") \(process.terminationStatus))"
        }
    }

    /// SIGTERM every process, SIGKILL after 10 s; removes the scratch directory unless `keep`.
    func stop(keep: Bool = false) {
        client?.close()
        client = nil
        BenchProcesses.stop(processes.map(\.process))
        for (_, p) in processes { ScaleWorkersChildren.shared.remove(p.processIdentifier) }
        processes.removeAll()
        if !keep { try? FileManager.default.removeItem(at: dir) }
    }

    deinit { stop(keep: true) }

    private func launch(_ name: String, _ binary: String, _ arguments: [String]) throws {
        let process = try BenchProcesses.launch(bin: bin, dir: dir, name, binary, arguments)
        ScaleWorkersChildren.shared.add(process.processIdentifier)
        processes.append((name, process))
    }

    private func waitForFile(_ path: String) throws -> String { try BenchProcesses.waitForFile(path, logs: dir) }

    /// CPU seconds of one process from /proc/PID/stat (utime + stime); nil when it cannot be read.
    static func cpuSeconds(pid: pid_t) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
        // After "(comm)": state is field 3, utime 14 and stime 15 (proc(5)), i.e. indices 11 and 12 here.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticks > 0 ? (user + system) / ticks : nil
    }

    /// MemAvailable of the machine in MiB (/proc/meminfo); nil when unreadable.
    static func availableMiB() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
            let kib = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap({ Double($0) })
        else { return nil }
        return kib / 1024
    }
}

/// Every process the benchmark started and has not reaped yet; on SIGINT or SIGTERM they get SIGKILL and the
/// benchmark exits (status 130 / 143), so no workerd outlives an interrupted run.
final class ScaleWorkersChildren: @unchecked Sendable {
    /// The one registry.
    static let shared = ScaleWorkersChildren()
    private let lock = NSLock()
    private var pids: Set<pid_t> = []
    private var sources: [DispatchSourceSignal] = []

    /// Records a started process.
    func add(_ pid: pid_t) { lock.withLock { _ = pids.insert(pid) } }

    /// Forgets a reaped process.
    func remove(_ pid: pid_t) { lock.withLock { _ = pids.remove(pid) } }

    /// Installs the SIGINT/SIGTERM handlers (once).
    func installSignalHandlers() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for signo in [SIGINT, SIGTERM] {
                signal(signo, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
                source.setEventHandler { [self] in
                    let victims = lock.withLock { pids }
                    for pid in victims { kill(pid, SIGKILL) }
                    FileHandle.standardError.write(Data("scale-workers: interrupted; killed \(victims.count) cluster processes\n".utf8))
                    exit(128 + signo)
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}
