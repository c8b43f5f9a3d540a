import DataPlane
import JobSpec
import Logging
import ParameterStore
import TensorWire

/// Real `ParameterShard`s behind `DataPlaneHandler`s, reached by workers' `ParameterClient`s through
/// `InMemoryDataPlaneChannel`s: the whole data plane of a job in one process, no socket anywhere.
struct InMemoryShards {
    static let logger = Logger(label: "in-memory") { _ in SwiftLogNoOpLogHandler() }

    let jobID: UInt64
    let variables: [VariableSpec]
    let shards: [ParameterShard]
    let handlers: [DataPlaneHandler]
    /// Variable i lives whole on shard i % shards.count (the coordinator partitions; these tests need no more).
    let routes: [(HostPort, [PartitionRoute])]

    /// `count` shards holding `variables` for job `jobID` with the given optimizer and aggregation rule.
    init(
        count: Int, jobID: UInt64 = 1, variables: [VariableSpec], optimizer: OptimizerConfig, consistency: ConsistencyConfig, seed: UInt64 = 7
    ) throws {
        self.jobID = jobID
        self.variables = variables
        var shards: [ParameterShard] = [], handlers: [DataPlaneHandler] = [], routes: [(HostPort, [PartitionRoute])] = []
        for s in 0..<count {
            let shard = ParameterShard(logger: Self.logger)
            let held = variables.indices.filter { $0 % count == s }
            try shard.createJob(
                jobID: jobID,
                partitions: held.map { PartitionSpec.whole(variableID: UInt32($0), variable: variables[$0], seed: seed &+ UInt64($0)) },
                optimizer: optimizer, consistency: consistency)
            shards.append(shard)
            handlers.append(DataPlaneHandler(shard: shard, logger: Self.logger, maxPullWait: .seconds(10)))
            routes.append((
                HostPort(host: "shard-\(s)", port: 1),
                held.map { PartitionRoute(variableID: UInt32($0), partition: 0, variableIndex: $0, elementOffset: 0, shape: variables[$0].shape) }
            ))
        }
        self.shards = shards
        self.handlers = handlers
        self.routes = routes
    }

    /// A worker's client: one in-memory channel per shard.
    func client(worker: UInt32) throws -> ParameterClient {
        let byAddress = Dictionary(uniqueKeysWithValues: zip(routes.map(\.0), handlers))
        return try ParameterClient(jobID: jobID, workerID: worker, routes: routes, timeout: .seconds(20)) { address in
            InMemoryDataPlaneChannel(byAddress[address]!)
        }
    }

    /// The job's version on every shard.
    func versions() throws -> [UInt64] { try shards.map { try $0.version(jobID: jobID) } }
}

/// A worker's full-variable buffers, owned by the test.
final class WorkerBuffers: @unchecked Sendable {
    let storage: [UnsafeMutableBufferPointer<Float>]

    init(_ variables: [VariableSpec], fill: Float = 0) {
        storage = variables.map {
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: $0.shape.elementCount)
            b.initialize(repeating: fill)
            return b
        }
    }

    deinit { storage.forEach { $0.deallocate() } }

    var buffers: VariableBuffers { VariableBuffers(storage) }

    /// Every element of every variable.
    var values: [[Float]] { storage.map(Array.init) }
}
