import ClusterRuntime
import Foundation

/// The one coordinator psd of `tessera-bench control-plane` (the release binary beside tessera-bench): started on a
/// data dir, read through /proc (CPU, RSS), killed with SIGKILL and started again on the same dir.
final class ControlPlanePSD {
    let bin: URL
    let dataDir: String
    let logDir: URL
    private(set) var process: Process?
    private var launches = 0

    /// Checks that psd is built in `bin`.
    init(bin: URL, dataDir: String, logDir: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("psd").path) else {
            throw BenchFailure("psd is not built in \(bin.path): run `swift build -c release --product psd` (scripts/bench does)")
        }
        self.bin = bin
        self.dataDir = dataDir
        self.logDir = logDir
    }

    /// Starts psd (coordinator and its own shard, every ended job kept) and returns its address once its port file
    /// is written.
    func start() throws -> HostPort {
        launches += 1
        let portFile = logDir.appendingPathComponent("port-\(launches)").path
        let process = Process()
        process.executableURL = bin.appendingPathComponent("psd")
        process.arguments = ["--listen", "127.0.0.1:0", "--coordinator-self", "--name", "ps-0", "--data-dir", dataDir,
                             "--port-file", portFile, "--log-level", "warning", "--job-retention", "0"]
        let log = logDir.appendingPathComponent("psd-\(launches).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), !text.isEmpty {
                return try HostPort(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            guard process.isRunning else { throw BenchFailure("psd exited (status \(process.terminationStatus)); log in \(log.path)") }
            Thread.sleep(forTimeInterval: 0.005)
        }
        throw BenchFailure("psd wrote no port file within 60 s; log in \(log.path)")
    }

    /// SIGKILL: no goodbye, as a crash.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, SIGKILL after 10 s.
    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        kill9()
    }

    /// CPU seconds (user + system) psd has used so far, from /proc/PID/stat; nil when it cannot be read.
    func cpuSeconds() -> Double? {
        guard let pid = process?.processIdentifier,
            let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)": state is field 3, utime 14 and stime 15 (proc(5)), i.e. indices 11 and 12 here.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticks > 0 ? (user + system) / ticks : nil
    }

    /// psd's resident set now and at its peak (VmRSS, VmHWM) in MiB, from /proc/PID/status.
    func memoryMiB() -> (rss: Double, peak: Double)? {
        guard let pid = process?.processIdentifier,
            let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return nil }
        func kib(_ key: String) -> Double? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Double($0) }
        }
        guard let rss = kib("VmRSS"), let peak = kib("VmHWM") else { return nil }
        return (rss / 1024, peak / 1024)
    }

    deinit { stop() }
}
