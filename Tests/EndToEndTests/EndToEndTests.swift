import Foundation
import Testing

extension EndToEndProcesses {
/// Starts the real binaries (2 psd + 2 workerd on loopback), drives them with clusterctl, and checks
/// what a user would: the learned parameters and the held-out accuracy.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct EndToEndTests {
    @Test func linearHelloAndCancerClassifierThroughTheBinaries() throws {
        let cluster = try LocalProcesses()
        try cluster.startCluster(shards: 2, workers: 2, dataRoot: testDataRoot())

        // y = 2x + 10: learned w ≈ 2 and b ≈ 10.
        let linear = try cluster.clusterctl(["submit", packageRoot().appendingPathComponent("examples/linear-hello.yaml").path, "--follow", "--json"])
        #expect(linear.status == 0, "submit --follow failed: \(linear.stderr)")
        let linearJob = try jsonObject(linear.stdout)
        #expect(linearJob["state"] as? String == "SUCCEEDED")
        let linearID = try #require(linearJob["id"] as? String)
        let pulled = try cluster.clusterctl(["pull", linearID, "--json"])
        #expect(pulled.status == 0, "pull failed: \(pulled.stderr)")
        let variables = try #require(try JSONSerialization.jsonObject(with: Data(pulled.stdout.utf8)) as? [[String: Any]])
        func value(_ name: String) -> Double? {
            (variables.first { $0["name"] as? String == name }?["values"] as? [Double])?.first
        }
        let w = try #require(value("dense_0/kernel"))
        let b = try #require(value("dense_0/bias"))
        #expect(abs(w - 2) < 0.1, "w = \(w)")
        #expect(abs(b - 10) < 0.1, "b = \(b)")

        // Breast-cancer logistic regression: held-out accuracy ≥ 0.95.
        let cancer = try cluster.clusterctl(["submit", packageRoot().appendingPathComponent("examples/cancer-logistic.yaml").path, "--follow"])
        #expect(cancer.status == 0, "submit --follow failed: \(cancer.stdout) \(cancer.stderr)")
        let jobs = try cluster.clusterctl(["jobs", "--json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(jobs.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 2)
        let cancerID = try #require(list.first?["id"] as? String)
        let described = try jsonObject(cluster.clusterctl(["describe", cancerID, "--json"]).stdout)
        #expect(described["state"] as? String == "SUCCEEDED")
        #expect((described["step"] as? Int ?? 0) > 0)
        let metrics = try #require(described["metrics"] as? [String: Any])
        let accuracy = try #require(metrics["accuracy"] as? Double)
        #expect(accuracy >= 0.95, "held-out accuracy \(accuracy)")
        #expect(metrics["loss"] as? Double != nil)
        let placement = try #require(described["placement"] as? [[String: Any]])
        #expect(placement.count == 2)
        #expect(Set(placement.compactMap { $0["shard"] as? String }).count == 2)

        // The human views work too.
        let table = try cluster.clusterctl(["describe", cancerID])
        #expect(table.stdout.contains("dense_0/kernel") && table.stdout.contains("SUCCEEDED"))
        let status = try jsonObject(cluster.clusterctl(["status", "--json"]).stdout)
        #expect(status["health"] as? String == "SERVING")

        // Global options may come before the verb.
        let leading = try cluster.clusterctl(["--coordinator", cluster.coordinator, "--json", "jobs"])
        #expect(leading.status == 0 && leading.stdout.contains(cancerID))

        // Errors are sentences on stderr with a non-zero exit.
        let missing = try cluster.clusterctl(["describe", "job-99"])
        #expect(missing.status != 0 && missing.stderr.contains("job-99"))

        // SIGTERM stops every daemon cleanly.
        let statuses = cluster.stop()
        #expect(statuses.allSatisfy { $0 == 0 }, "exit statuses \(statuses)")
    }
}
}
