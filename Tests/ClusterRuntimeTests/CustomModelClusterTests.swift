import ClusterAPI
import ClusterPresentation
import ClusterRuntime
import Foundation
import Testing
import Training

/// A user model registered in this process trains through the services like a built-in one.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct CustomModelClusterTests {
    @Test func registeredTwoTowerTrainsOnBreastCancerAndUnknownTypesAreRejected() async throws {
        // Registered before the workers start: they advertise ModelRegistry.names() when they register.
        try ModelRegistry.register(name: "two_tower") { request in
            let width = request.spec.model.hidden.first ?? 16
            return try SequentialModel(layers: [
                Dense(index: 0, inputWidth: request.inputWidth, outputWidth: width), ActivationLayer(.tanh, width: width),
                Dense(index: 1, inputWidth: width, outputWidth: 1),
            ], task: .binaryClassification)
        }
        defer { ModelRegistry.unregister(name: "two_tower") }
        #expect(throws: RuntimeFailure.self) { try ModelRegistry.register(name: "Two-Tower") { _ in throw CancellationError() } }

        let cluster = try await InProcessCluster.start(shards: 2, workers: 2, dataRoot: testDataRoot())
        let workers = try await cluster.client.status().nodes.filter { $0.info.role == .worker }
        #expect(workers.count == 2 && workers.allSatisfy { $0.info.models.contains("two_tower") })
        #expect(JobPresentation.nodesTable(workers).render().contains("MODELS"))

        let yaml = try String(contentsOf: packageRoot().appendingPathComponent("examples/two-tower.yaml"), encoding: .utf8)
        let submitted = try await cluster.client.submit(yaml: yaml)
        let job = try await cluster.waitForEnd(submitted.id)
        #expect(job.state == .succeeded, "\(job.reason)")
        #expect(job.spec.model.type == "two_tower")
        #expect(job.evalMetrics.accuracy >= 0.9, "held-out accuracy \(job.evalMetrics.accuracy)")
        #expect(job.evalMetrics.count > 100)
        print("two_tower (registered in-process) on breast cancer: held-out accuracy \(job.evalMetrics.accuracy) after \(job.step) steps")

        let unknown = yaml.replacingOccurrences(of: "type: two_tower", with: "type: three_tower")
        do {
            _ = try await cluster.client.submit(yaml: unknown)
            Issue.record("a job of an unregistered model type was accepted")
        } catch let failure as RuntimeFailure {
            #expect(failure.code == .invalidArgument)
            #expect(failure.message.contains(
                "model.type: model type \"three_tower\" is neither built in (linear, logistic, softmax, mlp, cnn, wide_deep) "
                    + "nor registered by a worker of this cluster (registered: two_tower)"), "\(failure.message)")
        }
        await cluster.stop()
    }
}
