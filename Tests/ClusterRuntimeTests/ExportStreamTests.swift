import ClusterAPI
import Foundation
import ParameterStore
import TensorWire
import Testing

@testable import ClusterRuntime

/// `clusterctl export` streams embedding tables a chunk at a time: the file is the one the whole-model export made.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ExportStreamTests {
    @Test(.enabled(if: hasAdultData, "no adult/adult.csv.gz: set TESSERA_DATA_ROOT (scripts/fetch-data)"))
    func aStreamedExportIsTheSameBytesAsTheWholeModelWrittenAtOnce() async throws {
        let example = try String(contentsOf: packageRoot().appendingPathComponent("examples/census-wide-deep.yaml"), encoding: .utf8)
        let yaml = example.replacingOccurrences(of: "  epochs: 6\n", with: "  epochs: 1\n  max_steps: 30\n")
        #expect(yaml != example)
        let cluster = try await InProcessCluster.start(shards: 2, workers: 2, dataRoot: testDataRoot())
        let job = try await cluster.waitForEnd(try await cluster.client.submit(yaml: yaml).id)
        #expect(job.state.displayName == "SUCCEEDED", "\(job.reason)")
        #expect(job.placement.contains { $0.kind == "embedding" })

        let rowsBefore = rowCount(cluster, job)
        let streamed = cluster.root.appendingPathComponent("streamed.safetensors").path
        let variables = try await ModelExporter.export(job: job, to: streamed)
        // Exporting reads every row of each table's vocabulary but creates none on the shards.
        #expect(rowsBefore > 0 && rowCount(cluster, job) == rowsBefore, "\(rowsBefore) rows before the export, \(rowCount(cluster, job)) after")
        // The whole-model way: every variable pulled into memory, then written at once.
        let whole = try await VariableReader.read(job: job)
        var metadata = [
            "format": "tessera", "job": job.id, "name": job.name, "step": String(job.step),
            "model": job.spec.model.type, "state": job.state.displayName,
        ]
        if !job.preprocessing.isEmpty { metadata["preprocessing"] = job.preprocessing }
        if !job.specYaml.isEmpty { metadata["spec"] = job.specYaml }
        let reference = cluster.root.appendingPathComponent("whole.safetensors").path
        try SafetensorsWriter.write(whole.map { SafetensorsWriter.Tensor.floats($0.name, shape: $0.shape, values: $0.values) }, metadata: metadata, to: reference)
        #expect(try Data(contentsOf: URL(fileURLWithPath: streamed)) == (try Data(contentsOf: URL(fileURLWithPath: reference))))
        #expect(variables.map(\.name) == whole.map(\.name))
        // Embedding tables went straight to the file; dense variables come back with their values.
        let embedding = Set(job.placement.filter { $0.kind == "embedding" }.map(\.variable))
        for (v, w) in zip(variables, whole) {
            #expect(embedding.contains(v.name) ? v.values.isEmpty && !w.values.isEmpty : v.values == w.values, "\(v.name)")
        }
        #expect(rowCount(cluster, job) == rowsBefore)
        await cluster.stop()
    }

    /// Embedding rows the job's shards hold.
    private func rowCount(_ cluster: InProcessCluster, _ job: Tessera_V1_Job) -> Int {
        let number = UInt64(job.id.split(separator: "-").last ?? "") ?? 0
        var rows = 0
        for p in job.placement where p.kind == "embedding" {
            for daemon in cluster.shards {
                rows += (try? daemon.shard.sparseRowCount(jobID: number, key: PartitionKey(variableID: p.variableID, partition: p.partition))) ?? 0
            }
        }
        return rows
    }
}
