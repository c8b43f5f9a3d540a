import ClusterRuntime
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The systemd units verify, and the real daemons speak the sd_notify protocol: READY=1 once
/// serving (workerd: once registered), WATCHDOG=1 when WATCHDOG_USEC asks, STOPPING=1 on SIGTERM.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SystemdTests {
    @Test func unitFilesPassSystemdAnalyzeVerify() throws {
        guard let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first(where: FileManager.default.isExecutableFile) else {
            try Test.cancel("systemd-analyze is not installed (apt-get install systemd): unit files not verified")
        }
        let bin = try daemonBinDirectory()
        let dir = try temporaryDirectory("units")
        for unit in ["psd.service", "psd@.service", "workerd.service"] {
            let text = try String(contentsOf: packageRoot().appendingPathComponent("systemd/\(unit)"), encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/", with: bin.path + "/")
            try text.write(to: dir.appendingPathComponent(unit), atomically: true, encoding: .utf8)
        }
        for target in ["psd.service", "psd@.service:psd@shard1.service", "workerd.service"] {
            let result = try runProcess(analyze, ["verify", "--man=no", dir.path + "/" + target])
            #expect(result.status == 0, "systemd-analyze verify \(target): \(result.output)")
            #expect(result.output.isEmpty, "systemd-analyze verify \(target) warned: \(result.output)")
        }
        let psd = try String(contentsOf: packageRoot().appendingPathComponent("systemd/psd.service"), encoding: .utf8)
        for line in ["Type=notify", "Restart=on-failure", "WatchdogSec=", "ProtectSystem=strict", "NoNewPrivileges=yes", "User=tessera"] {
            #expect(psd.contains(line), "psd.service lacks \(line)")
        }
    }

    @Test func psdSendsReadyWatchdogAndStopping() throws {
        let bin = try daemonBinDirectory()
        let dir = try temporaryDirectory("notify")
        let socket = try NotifySocket()
        let psd = Process()
        psd.executableURL = bin.appendingPathComponent("psd")
        psd.arguments = ["--listen", "127.0.0.1:0", "--coordinator-self", "--data-dir", dir.appendingPathComponent("ps").path]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = socket.path
        environment["WATCHDOG_USEC"] = "400000"
        environment.removeValue(forKey: "WATCHDOG_PID")
        psd.environment = environment
        psd.standardError = FileHandle.nullDevice
        try psd.run()
        defer { if psd.isRunning { kill(psd.processIdentifier, SIGKILL) } }

        let ready = socket.waitFor("READY=1", timeout: 30)
        #expect(ready != nil, "psd never sent READY=1; got \(socket.received)")
        #expect(ready?.contains("STATUS=serving coordinator + shard on 127.0.0.1:") == true)
        #expect(socket.waitFor("WATCHDOG=1", timeout: 5) != nil, "psd never sent WATCHDOG=1; got \(socket.received)")
        // The keep-alive repeats at half the interval.
        let before = socket.received.filter { $0 == "WATCHDOG=1" }.count
        Thread.sleep(forTimeInterval: 0.6)
        _ = socket.waitFor("never", timeout: 0.1)
        #expect(socket.received.filter { $0 == "WATCHDOG=1" }.count > before)

        // Workers are READY once registered.
        let address = try #require(ready?.split(separator: " ").last.map(String.init))
        let workerSocket = try NotifySocket()
        let worker = Process()
        worker.executableURL = bin.appendingPathComponent("workerd")
        worker.arguments = ["--coordinator", address, "--data-root", dir.path, "--name", "notify-worker"]
        environment["NOTIFY_SOCKET"] = workerSocket.path
        worker.environment = environment
        worker.standardError = FileHandle.nullDevice
        try worker.run()
        defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
        let workerReady = workerSocket.waitFor("READY=1", timeout: 30)
        #expect(workerReady?.contains("registered with \(address)") == true, "workerd: \(workerSocket.received)")
        #expect(workerSocket.waitFor("WATCHDOG=1", timeout: 5) != nil)
        worker.terminate()
        #expect(workerSocket.waitFor("STOPPING=1", timeout: 15) != nil)
        worker.waitUntilExit()

        psd.terminate()
        #expect(socket.waitFor("STOPPING=1", timeout: 15) != nil, "psd never sent STOPPING=1; got \(socket.received)")
        psd.waitUntilExit()
        #expect(psd.terminationStatus == 0)
    }
}

/// A bound Unix datagram socket standing in for systemd's notify socket.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private(set) var received: [String] = []

    init() throws {
        path = "/tmp/tessera-notify-\(UInt32.random(in: 0...UInt32.max)).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw RuntimeFailure(.internalError, "socket() failed: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
            raw[path.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw RuntimeFailure(.internalError, "bind(\(path)) failed: errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads datagrams until one contains `needle` (returned) or `timeout` seconds pass (nil).
    func waitFor(_ needle: String, timeout: Double) -> String? {
        if let seen = received.first(where: { $0.contains(needle) }) { return seen }
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { continue }
            let message = String(decoding: buffer[0..<n], as: UTF8.self)
            received.append(message)
            if message.contains(needle) { return message }
        }
        return nil
    }

    deinit {
        close(fd)
        unlink(path)
    }
}

/// The directory holding the built psd/workerd/clusterctl: $TESSERA_BIN_DIR or .build/debug; cancels the test when absent.
func daemonBinDirectory() throws -> URL {
    let dir = ProcessInfo.processInfo.environment["TESSERA_BIN_DIR"].map { URL(fileURLWithPath: $0) }
        ?? packageRoot().appendingPathComponent(".build/debug")
    for binary in ["psd", "workerd"] where !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent(binary).path) {
        try Test.cancel("\(binary) is not built in \(dir.path): run `swift build` first")
    }
    return dir
}

/// A fresh temporary directory.
func temporaryDirectory(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs a program to completion and returns its status and combined output.
func runProcess(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
