import ClusterRuntime
import Foundation
import Logging
import NIOPosix
import ParameterStore
import TensorWire

/// psd daemons in this process on loopback (each its own coordinator, so they are independent),
/// with benchmark jobs created directly on their shards.
final class PushPullCluster {
    let daemons: [ParameterServerDaemon]
    let controlAddresses: [HostPort]
    let dataAddresses: [HostPort]
    private var nextJob: UInt64 = 1
    /// The worker side's own event loop, as in a separate workerd process (the daemons use the shared group).
    private let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let root: String

    static func start(shards: Int) async throws -> PushPullCluster {
        var logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-bench-\(UUID().uuidString)").path
        var daemons: [ParameterServerDaemon] = []
        var control: [HostPort] = []
        var data: [HostPort] = []
        for i in 0..<shards {
            let config = ParameterServerConfig(
                listen: HostPort(host: "127.0.0.1", port: 0), dataDir: "\(root)/ps-\(i)", coordinator: nil, name: "bench-ps-\(i)")
            let daemon = try ParameterServerDaemon(config: config, logger: logger)
            control.append(try await daemon.start())
            guard let address = try await daemon.dataAddress() else { throw BenchFailure("native data plane did not start") }
            data.append(address)
            daemons.append(daemon)
        }
        return PushPullCluster(daemons: daemons, control: control, data: data, root: root)
    }

    private init(daemons: [ParameterServerDaemon], control: [HostPort], data: [HostPort], root: String) {
        self.daemons = daemons
        controlAddresses = control
        dataAddresses = data
        self.root = root
    }

    /// Creates one dense variable of `bytes` split along dim 0 over every shard (SGD, async) and
    /// returns its id with the routes a worker uses for it.
    func createJob(bytes: Int) throws -> (jobID: UInt64, routes: [[PartitionRoute]]) {
        let width = 1024
        let rows = bytes / 4 / width
        let jobID = nextJob
        nextJob += 1
        let variable = VariableSpec(name: "w", shape: Shape([rows, width]), initializer: .constant(0.5))
        var routes: [[PartitionRoute]] = []
        var offset = 0
        for (i, daemon) in daemons.enumerated() {
            let count = rows / daemons.count + (i < rows % daemons.count ? 1 : 0)
            let spec = PartitionSpec(variableID: 0, partition: UInt32(i), variable: variable, rowOffset: offset, rowCount: count, seed: 1)
            try daemon.shard.createJob(jobID: jobID, partitions: [spec], optimizer: .sgd(1e-6), consistency: .async)
            routes.append([PartitionRoute(variableID: 0, partition: UInt32(i), variableIndex: 0, elementOffset: offset * width, shape: Shape([count, width]))])
            offset += count
        }
        return (jobID, routes)
    }

    /// Drops a benchmark job from every shard.
    func dropJob(_ jobID: UInt64) {
        for daemon in daemons { _ = daemon.shard.dropJob(jobID: jobID) }
    }

    /// A worker-side client for a job over a transport.
    func client(jobID: UInt64, routes: [[PartitionRoute]], transport: DataPlaneKind) throws -> ParameterClient {
        let addresses = transport == .native ? dataAddresses : controlAddresses
        return try ParameterClient(jobID: jobID, workerID: 1, routes: Array(zip(addresses, routes)), timeout: .seconds(300)) {
            transport == .native ? NativeDataPlaneChannel(address: $0, group: clientGroup) : try DataPlaneChannels.make(transport, address: $0)
        }
    }

    func stop() async {
        for daemon in daemons { await daemon.stop() }
        try? FileManager.default.removeItem(atPath: root)
    }
}
