import ClusterAPI
import ClusterRuntime
import Foundation
import ParameterStore
import TensorWire
import Testing

/// A dense variable just over the 4 MiB partition threshold is split along dim 0 over 2 shards end to end,
/// and pulling it back through the placement gives exactly the whole variable.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ConsistencyPlacementTests {
    @Test func variableOverTheThresholdIsPartitionedAndPullsBackWhole() async throws {
        let cluster = try await InProcessCluster.start(shards: 2, workers: 1, dataRoot: testDataRoot())
        // 30 inputs × 35,000 hidden units × 4 bytes = 4.2 MB > 4 MiB; a learning rate of 1e-30 leaves the initial values bit-identical.
        let yaml = """
            name: placement
            model: {type: mlp, hidden: [35000], activation: relu}
            data: {format: csv, train: breast_cancer/breast_cancer.csv, label: target, test_fraction: 0.3, batch_size: 8}
            optimizer: {type: sgd, learning_rate: 1.0e-30}
            training: {mode: async, max_steps: 2, seed: 11}
            cluster: {workers: 1, ps_shards: 2}
            """
        let submitted = try await cluster.client.submit(yaml: yaml)
        let job = try await cluster.waitForEnd(submitted.id)
        #expect(job.state == .succeeded, "\(job.reason)")
        let kernel = job.placement.filter { $0.variable == "dense_0/kernel" }
        #expect(kernel.count == 2)
        #expect(Set(kernel.map(\.shardAddress)).count == 2)
        #expect(kernel.map(\.rowCount).reduce(0, +) == 30)

        let variables = try await VariableReader.read(job: job)
        let pulled = try #require(variables.first { $0.name == "dense_0/kernel" })
        #expect(pulled.shape == Shape([30, 35000]))
        // The whole variable, initialised in one piece with the job's seed, equals the two partitions put together.
        let spec = VariableSpec(name: "dense_0/kernel", shape: Shape([30, 35000]), initializer: .glorotUniform)
        let whole = PartitionSpec.whole(variableID: 0, variable: spec, seed: 11 ^ stableHash("dense_0/kernel"))
        var expected = [Float](repeating: 0, count: 30 * 35000)
        expected.withUnsafeMutableBufferPointer { whole.fillInitialValues($0) }
        #expect(pulled.values == expected)
        await cluster.stop()
    }
}
