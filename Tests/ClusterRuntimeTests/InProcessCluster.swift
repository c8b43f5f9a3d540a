import ClusterAPI
import ClusterRuntime
import Foundation
import Logging

/// A whole cluster in this process over real gRPC on loopback port 0: a coordinator psd, more psd
/// shards and workers — the same daemons `psd` and `workerd` run.
final class InProcessCluster: Sendable {
    let coordinatorAddress: HostPort
    let shards: [ParameterServerDaemon]
    let workers: [WorkerDaemon]
    let client: CoordinatorClient
    let root: URL

    static func start(shards shardCount: Int = 2, workers workerCount: Int = 2, dataRoot: String) async throws -> InProcessCluster {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-test-\(UUID().uuidString)")
        // init_from models (exported under `root` by the tests) are read from the import dir.
        var coordinatorConfig = ParameterServerConfig(
            listen: HostPort(host: "127.0.0.1", port: 0), dataDir: root.appendingPathComponent("ps-0").path,
            coordinator: nil, name: "ps-0", heartbeatInterval: .milliseconds(200))
        coordinatorConfig.importDir = root.path
        let coordinator = try ParameterServerDaemon(config: coordinatorConfig, logger: logger)
        let address = try await coordinator.start()
        var shards = [coordinator]
        for i in 1..<max(shardCount, 1) {
            var config = ParameterServerConfig(
                listen: HostPort(host: "127.0.0.1", port: 0), dataDir: root.appendingPathComponent("ps-\(i)").path,
                coordinator: address, name: "ps-\(i)")
            config.importDir = root.path
            let shard = try ParameterServerDaemon(config: config, logger: logger)
            try await shard.start()
            shards.append(shard)
        }
        var workers: [WorkerDaemon] = []
        for i in 0..<workerCount {
            let worker = try WorkerDaemon(
                config: WorkerConfig(coordinator: address, dataRoot: dataRoot, name: "worker-\(i)", pollInterval: .milliseconds(50)),
                logger: logger)
            worker.start()
            workers.append(worker)
        }
        let cluster = InProcessCluster(address: address, shards: shards, workers: workers, root: root)
        try await cluster.waitForNodes(shardCount + workerCount)
        return cluster
    }

    private init(address: HostPort, shards: [ParameterServerDaemon], workers: [WorkerDaemon], root: URL) {
        coordinatorAddress = address
        self.shards = shards
        self.workers = workers
        self.root = root
        client = try! CoordinatorClient(address: address)
    }

    func waitForNodes(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let status = try? await client.status(), status.nodes.filter({ $0.state == .alive }).count >= count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RuntimeFailure(.deadlineExceeded, "cluster did not come up with \(count) nodes")
    }

    /// Polls a job until it ends (or the timeout passes) and returns it.
    func waitForEnd(_ id: String, timeout: Duration = .seconds(120)) async throws -> Tessera_V1_Job {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let job = try await client.job(id)
            if job.state.isFinal { return job }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RuntimeFailure(.deadlineExceeded, "\(id) did not finish within \(timeout)")
    }

    func stop() async {
        for w in workers { await w.stop() }
        for s in shards.reversed() { await s.stop() }
        client.close()
        try? FileManager.default.removeItem(at: root)
    }
}

/// Where the tests find data: $TESSERA_DATA_ROOT, ../shared/data, or the copy bundled in examples/data.
func testDataRoot() -> String {
    if let root = ProcessInfo.processInfo.environment["TESSERA_DATA_ROOT"],
        FileManager.default.fileExists(atPath: root + "/breast_cancer/breast_cancer.csv")
    {
        return root
    }
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let shared = package.deletingLastPathComponent().appendingPathComponent("shared/data").path
    if FileManager.default.fileExists(atPath: shared + "/breast_cancer/breast_cancer.csv") { return shared }
    return package.appendingPathComponent("examples/data").path
}

/// Whether the test data root holds adult/adult.csv.gz (the census tests are skipped without it).
var hasAdultData: Bool { FileManager.default.fileExists(atPath: testDataRoot() + "/adult/adult.csv.gz") }

/// The package's root folder.
func packageRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
