import ClusterAPI
import Foundation
import JobSpec
import Logging
import Testing
import Training

@testable import ClusterRuntime

/// A serving replica the coordinator assigns to a worker: an embedding model is served live without the replica ever
/// allocating its tables (each request reads the rows it needs from the shards).
@Suite struct ServingReplicaTests {
    @Test func anEmbeddingModelIsServedWithoutAllocatingItsTables() throws {
        let spec = try JobSpecParser.parse(yaml: """
            name: wide
            model: {type: wide_deep, hidden: [4], wide_deep: {categorical: [color], numeric: [age]}}
            data: {format: csv, train: x.csv, label: y}
            training: {mode: async, max_steps: 10}
            """)
        // 2^34 hash buckets × 16 wide rows: 1 TiB of f32, far more than any machine here could allocate, so a replica
        // that built its tables would trap in the allocator instead of being built.
        let columns = TabularColumns(categorical: ["color"], numeric: ["age"], buckets: 1 << 34, embeddingDim: 16)
        let preprocessing = Preprocessing(features: columns.featureNames, inputWidth: 2, tabular: columns, classes: 2)
        let assignment = Tessera_V1_ServingAssignment.with {
            $0.jobID = "job-3"
            $0.jobNumber = 3
            $0.spec = spec.proto
            $0.preprocessing = preprocessing.json
            $0.refreshMs = 100
        }
        let config = WorkerConfig(coordinator: HostPort(host: "127.0.0.1", port: 1), dataRoot: NSTemporaryDirectory(), name: "w")
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let replica = try ServingReplica(assignment: assignment, config: config, models: ServedModels(), logger: logger)
        #expect(replica.report.jobID == "job-3" && !replica.report.available)
        replica.stop()
    }
}
