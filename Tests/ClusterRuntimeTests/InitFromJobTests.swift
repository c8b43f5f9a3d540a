import ClusterAPI
import ClusterRuntime
import Foundation
import Testing

/// `init_from: job-N` (docs/job-spec.md): "train more tomorrow on today's model" — a job continues from another job's
/// newest checkpoint (values and Adam's slots, on the same shards), its step continuing from there.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct InitFromJobTests {
    static func spec(name: String, maxSteps: Int, initFrom: String? = nil, hidden: Bool = false) -> String {
        """
        name: \(name)
        model: {type: \(hidden ? "mlp" : "logistic")\(hidden ? ", hidden: [8]" : "")}
        data: {format: csv, train: breast_cancer/breast_cancer.csv, label: target, test_fraction: 0.3, normalize: standard, batch_size: 32}
        optimizer: {type: adam, learning_rate: 0.01}
        training: {mode: async, max_steps: \(maxSteps), eval_every_steps: 100, seed: 3}
        cluster: {workers: 1, ps_shards: 2}
        \(initFrom.map { "init_from: \($0)" } ?? "")
        """
    }

    @Test func aJobContinuesFromAnotherJobsCheckpointAndItsStepGoesOn() async throws {
        let cluster = try await InProcessCluster.start(shards: 2, workers: 1, dataRoot: testDataRoot())
        let first = try await cluster.waitForEnd(try await cluster.client.submit(yaml: Self.spec(name: "cancer-today", maxSteps: 300)).id)
        #expect(first.state.displayName == "SUCCEEDED", "\(first.reason)")
        // The final checkpoint is committed just after SUCCEEDED.
        var source = first
        for _ in 0..<100 where !(source.hasCheckpoint && source.checkpoint.version == UInt64(first.step)) {
            try await Task.sleep(for: .milliseconds(100))
            source = try await cluster.client.job(first.id)
        }
        #expect(source.checkpoint.version == UInt64(first.step))

        // By id and by name; the step continues from the checkpoint, so max_steps counts from 0 of the first job.
        let more = try await cluster.waitForEnd(
            try await cluster.client.submit(yaml: Self.spec(name: "cancer-tomorrow", maxSteps: 500, initFrom: "job-1")).id)
        #expect(more.state.displayName == "SUCCEEDED", "\(more.reason)")
        let history = try await cluster.client.job(more.id, withHistory: true).history
        let firstPoint = try #require(history.map(\.step).min())
        #expect(firstPoint > 300, "the second job's first report is past the first job's 300 steps, got \(firstPoint)")
        #expect(more.evalMetrics.accuracy >= 0.95, "accuracy after continuing: \(more.evalMetrics.accuracy)")

        let byName = try await cluster.client.submit(yaml: Self.spec(name: "cancer-again", maxSteps: 400, initFrom: "cancer-today"))
        #expect(try await cluster.waitForEnd(byName.id).state.displayName == "SUCCEEDED")

        // Refusals: no such job (at submit, naming init_from); another model (the job fails naming both).
        await #expect { _ = try await cluster.client.submit(yaml: Self.spec(name: "x", maxSteps: 10, initFrom: "job-99")) } throws: { error in
            let message = (error as? RuntimeFailure)?.message ?? "\(error)"
            return message.contains("init_from") && message.contains("job-99")
        }
        let other = try await cluster.waitForEnd(
            try await cluster.client.submit(yaml: Self.spec(name: "mlp", maxSteps: 10, initFrom: "job-1", hidden: true)).id)
        #expect(other.state.displayName == "FAILED" && other.reason.contains("cannot start from job-1"), "\(other.reason)")
        await cluster.stop()
    }
}
