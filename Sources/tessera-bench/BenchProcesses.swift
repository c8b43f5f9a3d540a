import Foundation

/// What every benchmark cluster does with its processes: a scratch directory, children whose output goes to
/// `logs/NAME.log`, files they write to announce themselves, and a stop that waits, then kills.
enum BenchProcesses {
    /// Checks that `binaries` are built in `bin` and makes `<tmp>/<prefix>-<uuid>/logs`; returns the directory.
    static func scratch(bin: URL, prefix: String, binaries: [String] = ["psd", "workerd"]) throws -> URL {
        for binary in binaries where !FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent(binary).path) {
            throw BenchFailure("\(binary) is not built in \(bin.path): run `swift build -c release` (scripts/bench does)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
        return dir
    }

    /// Starts `bin/binary arguments` with its output in `dir/logs/name.log`.
    static func launch(bin: URL, dir: URL, _ name: String, _ binary: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = bin.appendingPathComponent(binary)
        process.arguments = arguments
        let log = dir.appendingPathComponent("logs/\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// The trimmed text of `path` once a child wrote it (30 s at most).
    static func waitForFile(_ path: String, logs dir: URL) throws -> String {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw BenchFailure("\(path) never appeared; logs in \(dir.path)/logs")
    }

    /// SIGTERM to every running process, SIGKILL to those still running 10 s later; returns once all are reaped.
    static func stop(_ processes: [Process]) {
        for p in processes where p.isRunning { p.terminate() }
        let deadline = Date().addingTimeInterval(10)
        while processes.contains(where: { $0.isRunning }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in processes { p.waitUntilExit() }
    }
}
