import ClusterRuntime
import Foundation
import Logging
import ParameterStore
import Synchronization
import TensorWire

/// A fresh shard per input, holding two small jobs of every kind of partition, behind a `DataPlaneHandler` with tight
/// limits so that each refusal path is reachable from a few bytes.
struct DataPlaneFixture {
    /// Job 1: async SGD. Job 2: sync (N = 2) Adam, so pulls for version 1 long-poll and sums are kept.
    static let asyncJob: UInt64 = 1
    static let syncJob: UInt64 = 2
    /// Variables 0…4: w [4, 3] whole, v [6, 2] in two partitions, b scalar, emb [0, 4] unbounded, voc [10, 2] bounded.
    static let partitions: [PartitionSpec] = {
        let w = VariableSpec(name: "w", shape: Shape([4, 3]), initializer: .glorotUniform)
        let v = VariableSpec(name: "v", shape: Shape([6, 2]), initializer: .uniform(low: -1, high: 1))
        let b = VariableSpec(name: "b", shape: Shape([]), initializer: .constant(0.5))
        let emb = VariableSpec(name: "emb", shape: Shape([0, 4]), kind: .embedding, initializer: .uniform(low: -1, high: 1))
        let voc = VariableSpec(name: "voc", shape: Shape([10, 2]), kind: .embedding, initializer: .zeros)
        return [
            .whole(variableID: 0, variable: w, seed: 1),
            PartitionSpec(variableID: 1, partition: 0, variable: v, rowOffset: 0, rowCount: 3, seed: 2),
            PartitionSpec(variableID: 1, partition: 1, variable: v, rowOffset: 3, rowCount: 3, seed: 2),
            .whole(variableID: 2, variable: b, seed: 3),
            PartitionSpec(variableID: 3, partition: 0, variable: emb, rowOffset: 0, rowCount: 0, seed: 4),
            PartitionSpec(variableID: 4, partition: 0, variable: voc, rowOffset: 0, rowCount: 10, seed: 5),
        ]
    }()

    /// Limits small enough for a fuzz input to reach: 64 KiB answers, 2 waiting pulls, 1 MiB of job state.
    static let limits: ServerLimits = {
        var limits = ServerLimits.default
        limits.maxAnswerBytes = 64 << 10
        limits.maxPendingPulls = 2
        limits.memoryLimitBytes = 1 << 20
        return limits
    }()

    let shard: ParameterShard
    let handler: DataPlaneHandler

    /// Creates the shard and both jobs.
    init() {
        let logger = Logger(label: "fuzz-dataplane") { _ in SwiftLogNoOpLogHandler() }
        shard = ParameterShard(logger: logger, memoryLimitBytes: Self.limits.memoryLimitBytes)
        do {
            try shard.createJob(jobID: Self.asyncJob, partitions: Self.partitions, optimizer: .sgd(0.1), consistency: .async)
            try shard.createJob(
                jobID: Self.syncJob, partitions: Self.partitions, optimizer: OptimizerConfig(kind: .adam, learningRate: 0.01),
                consistency: .sync(replicas: 2))
        } catch {
            fatalError("the fuzz fixture's jobs are invalid: \(error)")
        }
        handler = DataPlaneHandler(
            shard: shard, logger: logger, maxPullWait: .milliseconds(1), admission: DataPlaneAdmission(limitBytes: 256 << 10), limits: Self.limits)
    }

    /// Answers into an array, as the gRPC transport does.
    static func toArray(_ bytes: Int, _ encode: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: bytes) { out, count in count = try encode(UnsafeMutableRawBufferPointer(out)) }
    }

    /// Runs `body` to completion on the cooperative pool and waits for it here (libFuzzer's callback is synchronous).
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return outcome.withLock { $0! }
    }
}
