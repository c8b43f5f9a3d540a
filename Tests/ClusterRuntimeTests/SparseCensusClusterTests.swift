import ClusterAPI
import ClusterPresentation
import ClusterRuntime
import Foundation
import ParameterStore
import Testing
import TensorWire

/// What the shards of a running job hold and have moved, sampled while it trains (a finished job's state is dropped).
private struct ShardSample {
    var rows = 0
    var pushes: UInt64 = 0
    var bytes: UInt64 = 0
}

/// examples/census-wide-deep.yaml through an in-process cluster: the embedding tables and the wide kernel are
/// hash-partitioned over both shards and move as the rows each batch touches (PullSparse/PushSparse).
@Suite(.serialized, .timeLimit(.minutes(8)))
struct SparseCensusClusterTests {
    // Skipped without adult/adult.csv.gz under the test data root.
    @Test(.enabled(if: hasAdultData, "no adult/adult.csv.gz: set TESSERA_DATA_ROOT (scripts/fetch-data)"), arguments: ["async", "sync"])
    func censusTrainsOnSparseRowsAndShardsHoldOnlyTouchedRows(_ mode: String) async throws {
        let dataRoot = testDataRoot()
        let example = try String(contentsOf: packageRoot().appendingPathComponent("examples/census-wide-deep.yaml"), encoding: .utf8)
        var yaml = example.replacingOccurrences(of: "epochs: 6", with: "epochs: 1")
        if mode == "sync" { yaml = yaml.replacingOccurrences(of: "mode: async", with: "mode: sync\n  replicas_to_aggregate: 2") }
        #expect(yaml != example)

        let cluster = try await InProcessCluster.start(shards: 2, workers: 2, dataRoot: dataRoot)
        let submitted = try await cluster.client.submit(yaml: yaml)
        let jobNumber = try #require(UInt64(submitted.id.split(separator: "-").last ?? ""))

        // Sample the shards while the job runs: embedding rows created, pushes and bytes moved.
        var last: [ShardSample] = []
        var job = try await cluster.client.job(submitted.id)
        let deadline = ContinuousClock.now + .seconds(400)
        while !job.state.isFinal, ContinuousClock.now < deadline {
            let embeddings = job.placement.filter { $0.kind == "embedding" }
            var samples: [ShardSample] = []
            for daemon in cluster.shards {
                guard let stats = try? daemon.shard.stats(jobID: jobNumber) else { continue }
                var sample = ShardSample(pushes: stats.pushes, bytes: stats.bytesIn + stats.bytesOut)
                for p in embeddings {
                    if let n = try? daemon.shard.sparseRowCount(jobID: jobNumber, key: PartitionKey(variableID: p.variableID, partition: p.partition)) {
                        sample.rows += n
                    }
                }
                samples.append(sample)
            }
            if samples.count == 2, samples.reduce(0, { $0 + $1.pushes }) >= last.reduce(0, { $0 + $1.pushes }) { last = samples }
            try await Task.sleep(for: .milliseconds(200))
            job = try await cluster.client.job(submitted.id)
        }
        #expect(job.state == .succeeded, "\(job.reason)")
        print("census wide & deep (\(mode), 1 epoch, in-process, sparse rows): held-out accuracy \(job.evalMetrics.accuracy), AUC \(job.evalMetrics.auc), \(job.step) steps")
        #expect(job.evalMetrics.accuracy >= 0.82, "held-out accuracy \(job.evalMetrics.accuracy)")
        #expect(job.evalMetrics.auc >= 0.85, "held-out AUC \(job.evalMetrics.auc)")

        // Placement: each table and wide/kernel hash-partitioned over both shards, as embeddings.
        let embeddings = job.placement.filter { $0.kind == "embedding" }
        let tables = Dictionary(grouping: embeddings, by: \.variable)
        #expect(tables.count == 9, "\(tables.keys.sorted())")
        #expect(tables.values.allSatisfy { Set($0.map(\.partition)) == [0, 1] && Set($0.map(\.shardAddress)).count == 2 })
        #expect(tables["wide/kernel"]?.first?.shape == [9_000, 1])
        #expect(job.placement.contains { $0.variable == "dense_0/kernel" && $0.kind == "dense" })
        let described = JobDescription.render(job)
        #expect(described.contains("hash(key) % 2 = 1"), "\(described)")
        let placed = JobSummary(job).placement
        #expect(placed.contains { $0.variable == "embedding_education" && $0.kind == "embedding" })

        // Rows exist only for keys a batch (or the evaluation) touched: far fewer than the vocabulary hints.
        let vocabulary = tables.values.reduce(0) { $0 + Int($1[0].shape[0]) }
        let rows = last.reduce(0) { $0 + $1.rows }
        #expect(rows > 0 && rows * 2 < vocabulary, "\(rows) rows created of \(vocabulary)")

        // Bytes per step: every step pushes one frame to each shard; dense tables would move 2 × their size per step.
        let steps = Double(last.map(\.pushes).max() ?? 0)
        let tableBytes = Double(tables.values.reduce(0) { $0 + Int($1[0].shape[0] * $1[0].shape[1]) * 4 })
        let denseBytes = Double(job.placement.filter { $0.kind != "embedding" }.reduce(0) { $0 + Int($1.bytes) })
        let perStep = Double(last.reduce(0) { $0 + $1.bytes }) / max(steps, 1)
        print("census \(mode): \(rows) embedding rows of \(vocabulary); \(Int(perStep)) bytes per step through the shards vs \(Int(2 * (denseBytes + tableBytes))) with whole tables (dense variables alone: \(Int(2 * denseBytes)))")
        #expect(steps > 50)
        #expect(perStep < 2 * denseBytes + 0.25 * 2 * tableBytes, "\(perStep) bytes per step")

        // Reading the trained variables (clusterctl pull / export) gives whole tables: trained rows differ from the
        // initializer's and everything is finite.
        let variables = try await VariableReader.read(job: job)
        let education = try #require(variables.first { $0.name == "embedding_education" })
        #expect(education.shape == Shape([1000, 8]) && education.values.count == 8000)
        #expect(education.values.allSatisfy(\.isFinite) && education.values.contains { $0 != 0 })
        let wide = try #require(variables.first { $0.name == "wide/kernel" })
        #expect(wide.values.count == 9000 && wide.values.contains { $0 != 0 })
        await cluster.stop()
    }
}
