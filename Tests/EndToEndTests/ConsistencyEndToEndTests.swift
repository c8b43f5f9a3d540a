import Foundation
import Testing

extension EndToEndProcesses {
/// 2 psd + 3 workerd (the real binaries) train the breast-cancer classifier in sync mode with a backup
/// worker (N = 2, b = 1) and in async mode with a staleness bound; both reach the accuracy target, and the
/// sync run shows dropped stale gradients read from the shards.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct ConsistencyEndToEndTests {
    @Test func syncWithBackupAndAsyncTrainTheCancerClassifier() throws {
        let cluster = try LocalProcesses()
        try cluster.startCluster(shards: 2, workers: 3, dataRoot: testDataRoot())
        defer { cluster.stop() }

        // Sync, N = 2 of 3 workers: every version drops the slowest gradient.
        let sync = try cluster.clusterctl([
            "submit", packageRoot().appendingPathComponent("examples/cancer-sync-backup.yaml").path, "--follow", "--json",
        ])
        #expect(sync.status == 0, "sync submit --follow failed: \(sync.stdout) \(sync.stderr); logs in \(cluster.dir.path)/logs")
        let syncID = try #require(try jsonObject(sync.stdout)["id"] as? String)
        let described = try jsonObject(cluster.clusterctl(["describe", syncID, "--json"]).stdout)
        #expect(described["state"] as? String == "SUCCEEDED")
        let accuracy = try #require((described["metrics"] as? [String: Any])?["accuracy"] as? Double)
        #expect(accuracy >= 0.95, "sync held-out accuracy \(accuracy)")
        let stale = try #require(described["stale_dropped"] as? Int)
        #expect(stale > 0, "sync with a backup worker dropped no stale gradient")
        #expect((described["step"] as? Int ?? 0) > 0)
        #expect(described["effective_replicas"] as? Int != nil)

        // Async with a staleness bound, same cluster.
        let yaml = try String(contentsOf: packageRoot().appendingPathComponent("examples/cancer-logistic.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "name: cancer-logistic", with: "name: cancer-async")
            .replacingOccurrences(of: "  mode: async\n", with: "  mode: async\n  max_staleness: 8\n")
            .replacingOccurrences(of: "workers: 2", with: "workers: 3")
        let file = cluster.dir.appendingPathComponent("cancer-async.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let async = try cluster.clusterctl(["submit", file.path, "--follow", "--json"])
        #expect(async.status == 0, "async submit --follow failed: \(async.stdout) \(async.stderr)")
        let asyncID = try #require(try jsonObject(async.stdout)["id"] as? String)
        let asyncJob = try jsonObject(cluster.clusterctl(["describe", asyncID, "--json"]).stdout)
        #expect(asyncJob["state"] as? String == "SUCCEEDED")
        let asyncAccuracy = try #require((asyncJob["metrics"] as? [String: Any])?["accuracy"] as? Double)
        #expect(asyncAccuracy >= 0.95, "async held-out accuracy \(asyncAccuracy)")
    }
}
}
