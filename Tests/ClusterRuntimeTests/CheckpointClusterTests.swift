import ClusterAPI
import ClusterRuntime
import Foundation
import TensorWire
import Testing

/// Checkpoints through the real services: an async job paused, copied on both shards and resumed; the manifest
/// names each shard file with its size and CRC32C; pruning keeps the newest `keep`.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CheckpointClusterTests {
    @Test func anAsyncJobIsCheckpointedOnEveryShardAndKeepsTraining() async throws {
        let cluster = try await InProcessCluster.start(shards: 2, workers: 2, dataRoot: testDataRoot())
        let yaml = try String(contentsOf: packageRoot().appendingPathComponent("examples/linear-hello.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "max_steps: 300", with: "max_steps: 100000\n  checkpoint: {keep: 2}")
        let submitted = try await cluster.client.submit(yaml: yaml)
        var job = try await cluster.client.job(submitted.id)
        let deadline = ContinuousClock.now + .seconds(60)
        while job.step < 20 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            job = try await cluster.client.job(submitted.id)
        }
        #expect(job.spec.training.mode == "async")

        var versions: [UInt64] = []
        for _ in 0..<3 {
            let answer = try await cluster.client.checkpoint(submitted.id)
            #expect(answer.files == 2 && answer.bytes > 0)
            versions.append(answer.version)
            let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: answer.manifest))) as? [String: Any])
            #expect(manifest["mode"] as? String == "async" && manifest["reason"] as? String == "requested")
            for file in try #require(manifest["shards"] as? [[String: Any]]) {
                let path = try #require(file["path"] as? String)
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(bytes.count == file["bytes"] as? Int)
                #expect(String(format: "%08x", bytes.withUnsafeBytes { CRC32C.checksum($0) }) == String(format: "%08x", file["crc32c"] as? Int ?? -1))
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(versions == versions.sorted(), "\(versions)")
        var described = try await cluster.client.job(submitted.id)
        // Updates resumed after each pause: the job moves past the last checkpoint.
        let resumeDeadline = ContinuousClock.now + .seconds(60)
        while described.step <= Int64(versions.last!) && ContinuousClock.now < resumeDeadline {
            try await Task.sleep(for: .milliseconds(50))
            described = try await cluster.client.job(submitted.id)
        }
        #expect(described.step > Int64(versions.last!), "the job did not train after its checkpoints")
        #expect(described.checkpoint.version == versions.last)
        // keep: 2 — the oldest manifest is gone.
        let folder = URL(fileURLWithPath: described.checkpoint.manifest).deletingLastPathComponent()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.count == 2)

        _ = try await cluster.client.cancel(submitted.id)
        await #expect(throws: RuntimeFailure.self) { _ = try await cluster.client.checkpoint(submitted.id) }
        await cluster.stop()
    }

    @Test func initFromStartsANewJobFromAnExportedModel() async throws {
        let cluster = try await InProcessCluster.start(shards: 2, workers: 2, dataRoot: testDataRoot())
        let base = try String(contentsOf: packageRoot().appendingPathComponent("examples/linear-hello.yaml"), encoding: .utf8)
        let trained = try await cluster.waitForEnd(try await cluster.client.submit(yaml: base).id)
        #expect(trained.state.displayName == "SUCCEEDED")
        let file = cluster.root.appendingPathComponent("linear.safetensors").path
        let exported = try await ModelExporter.export(job: trained, to: file)

        // A learning rate of 0 keeps the values: the new job holds exactly what was exported.
        let online = base.replacingOccurrences(of: "name: linear-hello", with: "name: linear-online")
            .replacingOccurrences(of: "learning_rate: 0.1", with: "learning_rate: 1.0e-12")
            .replacingOccurrences(of: "max_steps: 300", with: "max_steps: 5")
            + "init_from: \(file)\n"
        let job = try await cluster.waitForEnd(try await cluster.client.submit(yaml: online).id)
        #expect(job.state.displayName == "SUCCEEDED", "\(job.reason)")
        let pulled = try await VariableReader.read(job: job)
        #expect(pulled.map(\.name).sorted() == exported.map(\.name).sorted())
        for v in pulled {
            #expect(v.values == exported.first { $0.name == v.name }?.values, "\(v.name)")
        }
        #expect(abs((pulled.first { $0.name == "dense_0/kernel" }?.values.first ?? 0) - 2) < 0.1)

        // A file that is not there fails the job with a sentence naming it.
        let missing = base.replacingOccurrences(of: "name: linear-hello", with: "name: linear-missing") + "init_from: /nonexistent/model.safetensors\n"
        let failed = try await cluster.waitForEnd(try await cluster.client.submit(yaml: missing).id)
        #expect(failed.state.displayName == "FAILED" && failed.reason.contains("/nonexistent/model.safetensors"))
        await cluster.stop()
    }
}
