import ClusterAPI
import ClusterRuntime
import Foundation
import Testing

/// Trains real models through real services over gRPC on loopback, all in this process.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct InProcessClusterTests {
    @Test func linearRegressionRecoversSlopeAndIntercept() async throws {
        let cluster = try await InProcessCluster.start(shards: 2, workers: 2, dataRoot: testDataRoot())
        defer { Task { await cluster.stop() } }
        let yaml = try String(contentsOf: packageRoot().appendingPathComponent("examples/linear-hello.yaml"), encoding: .utf8)
        let submitted = try await cluster.client.submit(yaml: yaml)
        let job = try await cluster.waitForEnd(submitted.id)
        #expect(job.state == .succeeded, "\(job.reason)")
        let variables = try await VariableReader.read(job: job)
        let kernel = try #require(variables.first { $0.name == "dense_0/kernel" })
        let bias = try #require(variables.first { $0.name == "dense_0/bias" })
        #expect(abs(kernel.values[0] - 2) < 0.1, "w = \(kernel.values[0])")
        #expect(abs(bias.values[0] - 10) < 0.1, "b = \(bias.values[0])")
        #expect(job.step > 0)
        // Two variables over two shards: each shard holds one.
        #expect(Set(job.placement.map(\.shardAddress)).count == 2)
        await cluster.stop()
    }

    @Test func logisticRegressionOnBreastCancerReachesTheTarget() async throws {
        let cluster = try await InProcessCluster.start(shards: 2, workers: 2, dataRoot: testDataRoot())
        let yaml = try String(contentsOf: packageRoot().appendingPathComponent("examples/cancer-logistic.yaml"), encoding: .utf8)
        let submitted = try await cluster.client.submit(yaml: yaml)
        let job = try await cluster.waitForEnd(submitted.id)
        #expect(job.state == .succeeded, "\(job.reason)")
        #expect(job.hasEvalMetrics)
        #expect(job.evalMetrics.accuracy >= 0.95, "held-out accuracy \(job.evalMetrics.accuracy)")
        #expect(job.evalMetrics.count > 100)
        await cluster.stop()
    }
}
