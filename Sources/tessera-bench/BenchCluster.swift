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
        for binary in ["psd", "workerd"] where !FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent(binary).path) {
            throw BenchFailure("\(binary) is not built in \(bin.path): run `swift build -c release` (scripts/bench does)")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
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
        let process = Process()
        process.executableURL = bin.appendingPathComponent(binary)
        process.arguments = arguments
        let log = dir.appendingPathComponent("logs/\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes.append(process)
        byName[name] = process
    }

    /// SIGKILL to one process ("workerd-2", "psd-0"): no goodbye, as a crash.
    func kill9(_ name: String) {
        guard let process = byName[name], process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private func waitForFile(_ path: String) throws -> String {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw BenchFailure("\(path) never appeared; logs in \(dir.path)/logs")
    }

    /// SIGTERM every process, SIGKILL after 10 s; removes the scratch directory unless `keep`.
    func stop(keep: Bool = false) {
        client?.close()
        client = nil
        for p in processes where p.isRunning { p.terminate() }
        let deadline = Date().addingTimeInterval(10)
        while processes.contains(where: { $0.isRunning }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in processes { p.waitUntilExit() }
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
