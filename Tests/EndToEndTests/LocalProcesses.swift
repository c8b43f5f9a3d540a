import Foundation

/// Real psd/workerd processes on loopback, started from the built binaries, stopped with SIGTERM.
final class LocalProcesses: @unchecked Sendable {
    let bin: URL
    let dir: URL
    private var processes: [Process] = []
    /// The processes by name ("psd-0", "workerd-1", …).
    private(set) var named: [String: Process] = [:]
    private(set) var coordinator = ""
    /// Arguments every clusterctl call gets first (e.g. `--token-file`).
    var clusterctlArguments: [String] = []

    init() throws {
        bin = try binDirectory()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
    }

    /// Starts a coordinator psd, more shards and workers, and waits until all have registered; `psdArguments` and
    /// `workerArguments` are added to every psd's and workerd's command line, `coordinatorArguments` to the coordinator's.
    func startCluster(
        shards: Int, workers: Int, dataRoot: String, psdArguments: [String] = [], coordinatorArguments: [String] = [],
        workerArguments: [String] = []
    ) throws {
        let portFile = dir.appendingPathComponent("coordinator").path
        try launch("psd-0", "psd", ["--listen", "127.0.0.1:0", "--coordinator-self", "--name", "ps-0",
                                    "--data-dir", dir.appendingPathComponent("psd-0").path, "--port-file", portFile]
                                    + psdArguments + coordinatorArguments)
        coordinator = try waitForFile(portFile)
        for i in 1..<shards {
            try launch("psd-\(i)", "psd", ["--listen", "127.0.0.1:0", "--coordinator", coordinator, "--name", "ps-\(i)",
                                           "--data-dir", dir.appendingPathComponent("psd-\(i)").path] + psdArguments)
        }
        for i in 0..<workers {
            try launch("workerd-\(i)", "workerd", ["--coordinator", coordinator, "--data-root", dataRoot, "--name", "worker-\(i)"] + workerArguments)
        }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let out = try clusterctl(["nodes", "--json"])
            if out.status == 0,
                let nodes = try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]],
                nodes.filter({ $0["state"] as? String == "alive" }).count >= shards + workers
            {
                return
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw E2EError("the cluster did not come up; logs in \(dir.path)/logs")
    }

    private func launch(_ name: String, _ binary: String, _ arguments: [String]) throws {
        let process = try startProcess(bin.appendingPathComponent(binary), arguments, log: dir.appendingPathComponent("logs/\(name).log"))
        processes.append(process)
        named[name] = process
    }

    private func waitForFile(_ path: String) throws -> String {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw E2EError("\(path) never appeared; logs in \(dir.path)/logs")
    }

    /// Runs clusterctl against the cluster and returns its exit status and output.
    func clusterctl(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runClusterctl(bin: bin, coordinator: coordinator, clusterctlArguments + arguments)
    }

    /// SIGTERM every process, SIGKILL after 10 s; returns the exit statuses.
    @discardableResult
    func stop() -> [Int32] {
        for p in processes where p.isRunning { p.terminate() }
        let deadline = Date().addingTimeInterval(10)
        while processes.contains(where: { $0.isRunning }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in processes { p.waitUntilExit() }
        return processes.map(\.terminationStatus)
    }

    deinit { stop() }
}

struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The directory holding psd, workerd and clusterctl: $TESSERA_BIN_DIR or .build/debug.
func binDirectory() throws -> URL {
    let dir = ProcessInfo.processInfo.environment["TESSERA_BIN_DIR"].map { URL(fileURLWithPath: $0) }
        ?? packageRoot().appendingPathComponent(".build/debug")
    for binary in ["psd", "workerd", "clusterctl"] where !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent(binary).path) {
        throw E2EError("\(binary) is not built in \(dir.path): run `swift build` (scripts/test does) or set TESSERA_BIN_DIR")
    }
    return dir
}

/// The package's root folder.
func packageRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Where the tests find data: $TESSERA_DATA_ROOT, ../shared/data, or the copy bundled in examples/data.
func testDataRoot() -> String {
    if let root = ProcessInfo.processInfo.environment["TESSERA_DATA_ROOT"],
        FileManager.default.fileExists(atPath: root + "/breast_cancer/breast_cancer.csv")
    {
        return root
    }
    let shared = packageRoot().deletingLastPathComponent().appendingPathComponent("shared/data").path
    if FileManager.default.fileExists(atPath: shared + "/breast_cancer/breast_cancer.csv") { return shared }
    return packageRoot().appendingPathComponent("examples/data").path
}

/// Whether the test data root holds adult/adult.csv.gz (the census tests are skipped without it).
var hasAdultData: Bool { FileManager.default.fileExists(atPath: testDataRoot() + "/adult/adult.csv.gz") }

/// Whether the optional `tessera-example-worker` binary is built beside psd (its test is skipped without it).
var hasExampleWorker: Bool {
    guard let bin = try? binDirectory() else { return false }
    return FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("tessera-example-worker").path)
}

/// Parses JSON text into an object.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw E2EError("not a JSON object: \(text.prefix(200))")
    }
    return object
}

/// Starts `executable` with its output in `log` (created empty).
func startProcess(_ executable: URL, _ arguments: [String], log: URL) throws -> Process {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    return process
}

/// Runs `clusterctl` from `bin` against `coordinator` and returns its exit status and output.
func runClusterctl(bin: URL, coordinator: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = bin.appendingPathComponent("clusterctl")
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["TESSERA_COORDINATOR"] = coordinator
    // The developer's own client config (contexts, a token file) must not reach test clusters.
    environment["TESSERA_CONFIG"] = "/nonexistent/tessera-tests/config.yaml"
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// The model, data and optimizer of the breast-cancer logistic regression the kill tests train (a job spec's
/// lines between `name:` and `training:`).
let cancerLogisticJob = """
    model: {type: logistic}
    data:
      format: csv
      train: breast_cancer/breast_cancer.csv
      label: target
      test_fraction: 0.3
      normalize: standard
      batch_size: 16
      shuffle: true
    optimizer: {type: adam, learning_rate: 0.01}
    """

/// Runs a deploy script (`arguments` after `executable`) with `environment` added to this process's, output and errors
/// together, read on a thread of its own so a script running for tens of seconds holds no concurrency thread.
/// Returns its exit status, its output, and the JSON of its last `RESULT {…}` line (nil when there is none).
func runScript(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String, result: [String: Any]?) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = await withCheckedContinuation { (done: CheckedContinuation<String, Never>) in
        Thread {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            done.resume(returning: String(decoding: data, as: UTF8.self))
        }.start()
    }
    let line = output.split(separator: "\n").last { $0.hasPrefix("RESULT ") }
    return (process.terminationStatus, output, try line.map { try jsonObject(String($0.dropFirst("RESULT ".count))) })
}

/// The exit status of `executable` with `arguments`, its output discarded; nil when it cannot be started.
func exitStatus(_ executable: String, _ arguments: [String]) -> Int32? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    process.waitUntilExit()
    return process.terminationStatus
}

/// Why namespaces cannot be made here, or nil when they can.
func networkNamespacesUnavailable() -> String? {
    guard getuid() == 0 else { return "not root (network namespaces need CAP_SYS_ADMIN); run as root or in a privileged container" }
    guard let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first(where: FileManager.default.isExecutableFile) else {
        return "ip (iproute2) is not installed: apt-get install iproute2"
    }
    let probe = "tsr-probe-\(getpid())"
    guard let added = exitStatus(ip, ["netns", "add", probe]) else { return "cannot run \(ip)" }
    guard added == 0 else { return "`ip netns add` failed (no permission to create namespaces here)" }
    _ = exitStatus(ip, ["netns", "del", probe])
    return nil

}
