import ClusterAPI
import ClusterRuntime
import Foundation

/// The cluster of `tessera-bench embeddings`: a coordinator psd (also shard ps-0), a second psd shard and one workerd
/// on loopback. The worker can be paused (SIGSTOP) so the shards keep a running job's rows while the benchmark
/// measures them alone, and ps-1 can be killed and restarted on its data directory to time a restore. Every process
/// ends with SIGKILL.
final class EmbeddingsCluster {
    let bin: URL
    let dir: URL
    private var processes: [String: Process] = [:]
    private var arguments: [String: [String]] = [:]
    private(set) var coordinator: HostPort?
    private var client: CoordinatorClient?

    /// Prepares a scratch directory (logs, psd data dirs) under `parent` (default: the system temporary directory).
    init(bin: URL) throws {
        self.bin = bin
        dir = try BenchProcesses.scratch(bin: bin, prefix: "tessera-embeddings", binaries: ["psd", "workerd", "clusterctl"])
    }

    /// Starts ps-0 (coordinator, heartbeat timeout of an hour so a paused worker stays a member), ps-1 and worker-0.
    func start(dataRoot: String) async throws {
        let portFile = dir.appendingPathComponent("coordinator").path
        try launch("psd-0", "psd", ["--listen", "127.0.0.1:0", "--coordinator-self", "--name", "ps-0",
                                    "--data-dir", dir.appendingPathComponent("psd-0").path, "--port-file", portFile,
                                    "--heartbeat-timeout", "3600", "--log-level", "warning"])
        let address = try HostPort(parsing: try BenchProcesses.waitForFile(portFile, logs: dir))
        coordinator = address
        // Fixed ports: a restarted ps-1 must come back at the addresses the job's placement names.
        try launch("psd-1", "psd", ["--listen", "127.0.0.1:\(try Self.freePort())", "--data-listen", "127.0.0.1:\(try Self.freePort())",
                                    "--coordinator", "\(address)", "--name", "ps-1",
                                    "--data-dir", dir.appendingPathComponent("psd-1").path, "--log-level", "warning"])
        try launch("workerd-0", "workerd", ["--coordinator", "\(address)", "--data-root", dataRoot, "--name", "worker-0", "--log-level", "warning"])
        let client = try CoordinatorClient(address: address)
        self.client = client
        try await waitForNodes(3)
    }

    /// Waits until `count` nodes are alive (60 s).
    func waitForNodes(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let exited = processes.first(where: { !$0.value.isRunning }) {
                throw BenchFailure("\(exited.key) exited (status \(exited.value.terminationStatus)); logs in \(dir.path)/logs")
            }
            if let status = try? await api.status(), status.nodes.filter({ $0.state == .alive }).count >= count { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchFailure("the cluster did not have \(count) alive nodes within 60 s; logs in \(dir.path)/logs")
    }

    /// The control-plane client (after `start`).
    var api: CoordinatorClient {
        get throws {
            guard let client else { throw BenchFailure("the cluster is not started") }
            return client
        }
    }

    /// SIGSTOP (pause) or SIGCONT (resume) to a process.
    func signal(_ name: String, _ signal: Int32) {
        guard let p = processes[name], p.isRunning else { return }
        kill(p.processIdentifier, signal)
    }

    /// SIGKILL to `name`, then the same command again (same data dir): a crash and a restart.
    func restart(_ name: String) throws {
        guard let p = processes[name], let args = arguments[name] else { throw BenchFailure("no process \(name)") }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        try launch(name, p.executableURL?.lastPathComponent ?? "psd", args, suffix: "-restarted")
    }

    /// A loopback TCP port nothing listens on right now (bound to port 0, read back, closed).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in bind(fd, sa, length) == 0 && getsockname(fd, sa, &length) == 0 }
        }
        guard bound else { throw BenchFailure("could not bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Resident and peak resident memory of each process in MiB (VmRSS, VmHWM from /proc).
    func memory() -> [String: (rss: Double, peak: Double)] {
        var out: [String: (rss: Double, peak: Double)] = [:]
        for (name, p) in processes where p.isRunning {
            out[name] = (Self.statusKiB(p.processIdentifier, "VmRSS:") / 1024, Self.statusKiB(p.processIdentifier, "VmHWM:") / 1024)
        }
        return out
    }

    static func statusKiB(_ pid: Int32, _ field: String) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
            let kib = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap({ Double($0) })
        else { return 0 }
        return kib
    }

    /// Runs `clusterctl ARGS` against the coordinator; returns its exit status and standard output.
    func clusterctl(_ args: [String]) throws -> (status: Int32, output: String) {
        guard let coordinator else { throw BenchFailure("the cluster is not started") }
        let process = Process()
        process.executableURL = bin.appendingPathComponent("clusterctl")
        process.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment["TESSERA_COORDINATOR"] = "\(coordinator)"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// SIGKILL to every process (a psd's graceful stop copies its state for a last checkpoint: with tens of millions
    /// of rows that nearly doubles its memory); removes the scratch directory unless `keep`.
    func stop(keep: Bool = false) {
        client?.close()
        client = nil
        for p in processes.values where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in processes.values { p.waitUntilExit() }
        processes.removeAll()
        if !keep { try? FileManager.default.removeItem(at: dir) }
    }

    deinit { stop(keep: true) }

    private func launch(_ name: String, _ binary: String, _ args: [String], suffix: String = "") throws {
        processes[name] = try BenchProcesses.launch(bin: bin, dir: dir, name + suffix, binary, args)
        arguments[name] = args
    }
}
