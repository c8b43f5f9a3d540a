import Foundation
import Testing

extension EndToEndProcesses {
/// A user's own workerd: the real `tessera-example-worker` binary (workerd plus a registered `two_tower` model)
/// joins a cluster of real psd processes and trains examples/two-tower.yaml submitted with clusterctl.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct ExampleWorkerEndToEndTests {
    // Skipped where tessera-example-worker is not built beside psd (TESSERA_BIN_DIR or .build/debug).
    @Test(.enabled(if: hasExampleWorker, "tessera-example-worker is not built in the binary folder"))
    func twoTowerThroughTheExampleWorkerBinary() throws {
        let cluster = try LocalProcesses()
        let binary = cluster.bin.appendingPathComponent("tessera-example-worker")
        let dataRoot = testDataRoot()
        try cluster.startCluster(shards: 2, workers: 0, dataRoot: dataRoot)
        let example = packageRoot().appendingPathComponent("examples/two-tower.yaml").path

        // No worker advertises two_tower yet: rejected at submit with the names the cluster knows.
        let rejected = try cluster.clusterctl(["submit", example])
        #expect(rejected.status != 0)
        #expect(rejected.stderr.contains("model type \"two_tower\" is neither built in (linear, logistic, softmax, mlp, cnn, wide_deep) "
            + "nor registered by a worker of this cluster (registered: none)"), "\(rejected.stderr)")

        var workers: [Process] = []
        defer {
            for p in workers where p.isRunning { p.terminate() }
            for p in workers { p.waitUntilExit() }
        }
        for i in 0..<2 {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["--coordinator", cluster.coordinator, "--data-root", dataRoot, "--name", "example-worker-\(i)"]
            let log = cluster.dir.appendingPathComponent("logs/example-worker-\(i).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            workers.append(process)
        }
        let deadline = Date().addingTimeInterval(60)
        var table = ""
        while Date() < deadline {
            table = try cluster.clusterctl(["nodes"]).stdout
            if table.components(separatedBy: "two_tower").count - 1 >= 2 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(table.contains("MODELS"), "\(table)")

        let run = try cluster.clusterctl(["submit", example, "--follow", "--json"])
        #expect(run.status == 0, "submit --follow failed: \(run.stdout) \(run.stderr)")
        let job = try jsonObject(run.stdout)
        #expect(job["state"] as? String == "SUCCEEDED")
        let id = try #require(job["id"] as? String)
        let described = try jsonObject(cluster.clusterctl(["describe", id, "--json"]).stdout)
        let accuracy = try #require((described["metrics"] as? [String: Any])?["accuracy"] as? Double)
        print("two_tower through tessera-example-worker: held-out accuracy \(accuracy)")
        #expect(accuracy >= 0.9, "held-out accuracy \(accuracy)")
        let placement = try #require(described["placement"] as? [[String: Any]])
        let names = Set(placement.compactMap { $0["variable"] as? String })
        #expect(names == Set((0..<4).flatMap { ["dense_\($0)/kernel", "dense_\($0)/bias"] }), "\(names)")

        for p in workers { p.terminate() }
        for p in workers { p.waitUntilExit() }
        #expect(workers.allSatisfy { $0.terminationStatus == 0 }, "exit statuses \(workers.map(\.terminationStatus))")
        let statuses = cluster.stop()
        #expect(statuses.allSatisfy { $0 == 0 }, "exit statuses \(statuses)")
    }
}
}
