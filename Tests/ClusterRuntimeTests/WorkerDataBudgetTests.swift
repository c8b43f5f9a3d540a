import ClusterAPI
@testable import ClusterRuntime
import Coordinator
import Foundation
import Logging
import Testing

/// A worker loads only what fits its `--max-data-bytes` and only from under its data root: a job over
/// the budget fails naming both numbers, and the worker advertises its budget when it registers.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WorkerDataBudgetTests {
    let cancer = """
        name: cancer
        model: {type: logistic}
        data: {format: csv, train: breast_cancer/breast_cancer.csv, label: target, test_fraction: 0.3, batch_size: 16}
        training: {epochs: 1}
        """

    @Test func aJobOverTheBudgetFailsNamingBothNumbers() throws {
        let spec = try JobSpecParser.parse(yaml: cancer)
        let error = try #require(throws: RuntimeFailure.self) {
            _ = try WorkerData.load(spec: spec, dataRoot: testDataRoot(), workerIndex: 0, workerCount: 1, maxDataBytes: 32 << 10)
        }
        #expect(error.code == .resourceExhausted)
        #expect(error.message.hasPrefix("job needs ~") && error.message.hasSuffix("; --max-data-bytes is 32 KiB"), "\(error.message)")
        // The same job within a budget that holds it.
        let data = try WorkerData.load(spec: spec, dataRoot: testDataRoot(), workerIndex: 0, workerCount: 1, maxDataBytes: 1 << 20)
        #expect(data.train.count > 300)
    }

    @Test func pathsOutsideTheDataRootAreRefusedWithoutContents() throws {
        var spec = try JobSpecParser.parse(yaml: cancer)
        for path in ["/etc/passwd", "../../../../../../etc/passwd"] {
            spec.data.train = path
            spec.data.label = "root"
            let error = try #require(throws: (any Error).self) {
                _ = try WorkerData.load(spec: spec, dataRoot: testDataRoot(), workerIndex: 0, workerCount: 1)
            }
            let text = "\(error)"
            #expect(text.contains("data.train: \"\(path)\" is outside the data root"), "\(text)")
            #expect(!text.contains("root:x:") && !text.contains("/bin/"))
        }
    }

    @Test func aWorkerAdvertisesItsBudgetAndReportsTheFailure() async throws {
        let cluster = try await InProcessCluster.start(shards: 1, workers: 0, dataRoot: testDataRoot())
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let worker = try WorkerDaemon(
            config: WorkerConfig(coordinator: cluster.coordinatorAddress, dataRoot: testDataRoot(), name: "small-worker",
                                 pollInterval: .milliseconds(50), maxDataBytes: 32 << 10),
            logger: logger)
        worker.start()
        try await cluster.waitForNodes(2)
        let node = try #require(try await cluster.client.status().nodes.first { $0.info.name == "small-worker" })
        #expect(node.info.memoryLimitBytes == 32 << 10)

        let submitted = try await cluster.client.submit(yaml: cancer)
        let job = try await cluster.waitForEnd(submitted.id)
        #expect(job.state == .failed)
        #expect(job.reason.contains("job needs ~") && job.reason.contains("--max-data-bytes is 32 KiB"), "\(job.reason)")
        await worker.stop()
        await cluster.stop()
    }
}
