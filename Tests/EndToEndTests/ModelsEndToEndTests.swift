import Foundation
import Testing

extension EndToEndProcesses {
/// The wide & deep census example through the real binaries (2 psd + 2 workerd), shortened to one
/// epoch so it fits the test suite; the full runs of examples/mnist-*.yaml and census-wide-deep.yaml
/// are recorded in docs/benchmarks.md.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct ModelsEndToEndTests {
    // Skipped without adult/adult.csv.gz under the test data root.
    @Test(.enabled(if: hasAdultData, "no adult/adult.csv.gz: set TESSERA_DATA_ROOT (scripts/fetch-data)"))
    func censusWideDeepOneEpochThroughTheBinaries() throws {
        let dataRoot = testDataRoot()
        let example = try String(contentsOf: packageRoot().appendingPathComponent("examples/census-wide-deep.yaml"), encoding: .utf8)
        let short = example.replacingOccurrences(of: "epochs: 6", with: "epochs: 1")
        #expect(short != example)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("census-\(UUID().uuidString).yaml")
        try short.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }

        let cluster = try LocalProcesses()
        try cluster.startCluster(shards: 2, workers: 2, dataRoot: dataRoot)
        let run = try cluster.clusterctl(["submit", file.path, "--follow", "--json"])
        #expect(run.status == 0, "submit --follow failed: \(run.stdout) \(run.stderr)")
        let job = try jsonObject(run.stdout)
        #expect(job["state"] as? String == "SUCCEEDED")
        let id = try #require(job["id"] as? String)
        let described = try jsonObject(cluster.clusterctl(["describe", id, "--json"]).stdout)
        let metrics = try #require(described["metrics"] as? [String: Any])
        let accuracy = try #require(metrics["accuracy"] as? Double)
        print("census wide & deep, 1 epoch through the binaries: held-out accuracy \(accuracy), AUC \(metrics["auc"] ?? "-")")
        #expect(accuracy >= 0.82, "held-out accuracy \(accuracy)")
        #expect(metrics["auc"] as? Double ?? 0 > 0.85)
        let placement = try #require(described["placement"] as? [[String: Any]])
        let names = Set(placement.compactMap { $0["variable"] as? String })
        #expect(names.isSuperset(of: ["embedding_workclass", "embedding_native-country", "wide/kernel", "dense_0/kernel"]), "\(names)")
        let statuses = cluster.stop()
        #expect(statuses.allSatisfy { $0 == 0 }, "exit statuses \(statuses)")
    }
}
}
