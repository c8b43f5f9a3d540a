import ClusterAPI
import ClusterRuntime
import Foundation

/// A local cluster of real `psd` and `workerd` processes on loopback (the release binaries beside
/// `tessera-bench`), driven over the coordinator's gRPC API; stopped with SIGTERM.
final class BenchCluster {
    /// One workerd to start: its extra flags (e.g. `--slowdown 3`).
    struct WorkerLaunch {
        var arguments: [String] = []
    }

    let bin: URL
    let dir: URL
    private var processes: [Process] = []
    private var byName: [String: Process] = [:]
    private(set) var coordinator: HostPort?
    private var client: CoordinatorClient?

    /// Prepares a scratch directory for logs and state; `bin` holds psd and workerd.
    init(bin: URL) throws {
        self.bin = bin
        dir = try BenchProcesses.scratch(bin: bin, prefix: "tessera-bench")
    }

    /// The directory of the running executable (where `swift build` puts psd and workerd too).
    static func defaultBinDirectory() -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// Starts one coordinator psd (also the only shard) and the workers, and waits until all are alive.
    func start(dataRoot: String, workers: [WorkerLaunch]) async throws {
        let portFile = dir.appendingPathComponent("coordinator").path
        try launch("psd-0", "psd", ["--listen", "127.0.0.1:0", "--coordinator-self", "--name", "ps-0",
                                    "--data-dir", dir.appendingPathComponent("psd-0").path, "--port-file", portFile,
                                    "--log-level", "warning"])
        let address = try HostPort(parsing: try waitForFile(portFile))
        coordinator = address
        for (i, worker) in workers.enumerated() {
            try launch("workerd-\(i)", "workerd", ["--coordinator", "\(address)", "--data-root", dataRoot, "--name", "worker-\(i)",
                                                   "--log-level", "warning"] + worker.arguments)
        }
        let client = try CoordinatorClient(address: address)
        self.client = client
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let status = try? await client.status(), status.nodes.filter({ $0.state == .alive }).count >= 1 + workers.count { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchFailure("the cluster did not come up within 60 s; logs in \(dir.path)/logs")
    }

    /// The control-plane client (after `start`).
    var api: CoordinatorClient {
        get throws {
            guard let client else { throw BenchFailure("the cluster is not started") }
            return client
        }
    }

    private func launch(_ name: String, _ binary: String, _ arguments: [String]) throws {
        let process = try BenchProcesses.launch(bin: bin, dir: dir, name, binary, arguments)
        processes.append(process)
        byName[name] = process
    }

    /// SIGKILL to one process ("workerd-2", "psd-0"): no goodbye, as a crash.
    func kill9(_ name: String) {
        guard let process = byName[name], process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private func waitForFile(_ path: String) throws -> String { try BenchProcesses.waitForFile(path, logs: dir) }

    /// SIGTERM every process, SIGKILL after 10 s; removes the scratch directory unless `keep`.
    func stop(keep: Bool = false) {
        client?.close()
        client = nil
        BenchProcesses.stop(processes)
        processes.removeAll()
        byName.removeAll()
        if !keep { try? FileManager.default.removeItem(at: dir) }
    }

    deinit { stop(keep: true) }
}

/// The machine's 1-minute load average, as a figure to print beside timings.
func loadAverage() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
        let first = text.split(separator: " ").first, let value = Double(first)
    else { return .nan }
    return value
}
