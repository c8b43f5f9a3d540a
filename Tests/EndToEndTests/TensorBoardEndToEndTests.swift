import Foundation
import Testing

extension EndToEndProcesses {
/// Real processes: a finished job's and a cancelled job's TensorBoard runs carry their hyperparameters and end status,
/// read back by TensorBoard's own code (`scripts/tensorboard-check`: EventAccumulator + the served HParams plugin).
/// Skipped with a reason when tensorboard is not installed in .build/tensorboard and cannot be installed from PyPI.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct TensorBoardEndToEndTests {
    @Test func theHParamsDashboardComparesJobsByTheirSpecs() async throws {
        let cluster = try LocalProcesses()
        defer { _ = cluster.stop() }
        try cluster.startCluster(shards: 2, workers: 2, dataRoot: testDataRoot())

        let finished = try cluster.clusterctl(["submit", packageRoot().appendingPathComponent("examples/cancer-logistic.yaml").path, "--follow", "--json"])
        #expect(finished.status == 0, "submit --follow failed: \(finished.stderr)")
        let finishedID = try #require(try jsonObject(finished.stdout)["id"] as? String)

        // The same spec at another learning rate, cancelled while it trains.
        let spec = try String(contentsOf: packageRoot().appendingPathComponent("examples/cancer-logistic.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "learning_rate: 0.1", with: "learning_rate: 0.05")
            .replacingOccurrences(of: "epochs: 30", with: "epochs: 100000")
        let specFile = cluster.dir.appendingPathComponent("slow.yaml")
        try spec.write(to: specFile, atomically: true, encoding: .utf8)
        let slow = try cluster.clusterctl(["submit", specFile.path, "--json"])
        #expect(slow.status == 0, "submit failed: \(slow.stderr)")
        let slowID = try #require(try jsonObject(slow.stdout)["id"] as? String)
        #expect(try cluster.clusterctl(["cancel", slowID]).status == 0)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try jsonObject(cluster.clusterctl(["describe", slowID, "--json"]).stdout)["state"] as? String != "CANCELLED" {
            try await Task.sleep(for: .milliseconds(200))
        }

        let described = try jsonObject(cluster.clusterctl(["describe", finishedID, "--json"]).stdout)
        let runDir = try #require(described["tensorboard_dir"] as? String)
        let one = try await tensorBoardCheck(runDir, expect: "eval/accuracy")
        let hparams = try #require(one["hparams"] as? [String: Any], "no HParams session in \(runDir)")
        let values = try #require(hparams["hparams"] as? [String: Any])
        #expect(values["optimizer.type"] as? String == "sgd")
        #expect(values["optimizer.learning_rate"] as? Double == 0.1)
        #expect(values["model.type"] as? String == "logistic")
        #expect(values["data.batch_size"] as? Double == 32)
        #expect(values["training.mode"] as? String == "async")
        #expect(values["cluster.workers"] as? Double == 2)
        #expect(hparams["status"] as? String == "STATUS_SUCCESS")

        // Served from the jobs folder, the dashboard lists both jobs with their learning rates, statuses and metrics.
        let jobsDir = URL(fileURLWithPath: runDir).deletingLastPathComponent().deletingLastPathComponent().path
        let both = try await tensorBoardCheck(jobsDir, expect: "eval/accuracy")
        let sessions = try #require(both["served_sessions"] as? [[String: Any]])
        func session(_ id: String) -> [String: Any]? { sessions.first { ($0["name"] as? String)?.hasPrefix("\(id)/") == true } }
        let done = try #require(session(finishedID), "sessions: \(sessions)")
        let cancelled = try #require(session(slowID), "sessions: \(sessions)")
        #expect((done["hparams"] as? [String: Any])?["optimizer.learning_rate"] as? Double == 0.1)
        #expect((cancelled["hparams"] as? [String: Any])?["optimizer.learning_rate"] as? Double == 0.05)
        #expect(done["status"] as? String == "STATUS_SUCCESS")
        #expect(cancelled["status"] as? String == "STATUS_UNKNOWN", "a cancelled job is neither success nor failure")
        let accuracy = try #require((done["metrics"] as? [String: Double])?["eval/accuracy"], "no eval/accuracy for \(finishedID)")
        #expect(accuracy >= 0.9)
    }

    @Test func aStudysTrialsAreHParamsSessionsInTheStudysGroup() async throws {
        let cluster = try LocalProcesses()
        defer { _ = cluster.stop() }
        try cluster.startCluster(shards: 1, workers: 2, dataRoot: testDataRoot())
        let study = """
            kind: Study
            name: tb-study
            \(cancerLogisticJob)
            training: {mode: async, max_steps: 100, eval_every_steps: 50}
            cluster: {workers: 1, ps_shards: 1}
            tuning:
              goal: maximize
              metric: accuracy
              max_trials: 2
              max_parallel_trials: 2
              algorithm: grid
              params:
                - {key: optimizer.learning_rate, type: discrete, values: [0.01, 0.1]}
            """
        let file = cluster.dir.appendingPathComponent("study.yaml")
        try study.write(to: file, atomically: true, encoding: .utf8)
        let followed = try cluster.clusterctl(["tune", file.path, "--follow", "--interval", "0.3"])
        #expect(followed.status == 0, "tune --follow failed: \(followed.stderr)")
        let trials = try #require(try jsonObject(cluster.clusterctl(["describe", "study-1", "-o", "json"]).stdout)["trials"] as? [[String: Any]])
        var rates: [Double] = []
        for trial in trials {
            let job = try #require(trial["job"] as? String)
            let runDir = try #require(try jsonObject(cluster.clusterctl(["describe", job, "--json"]).stdout)["tensorboard_dir"] as? String)
            let read = try await tensorBoardCheck(runDir, expect: "eval/accuracy")
            let hparams = try #require(read["hparams"] as? [String: Any], "no HParams session in \(runDir)")
            #expect(hparams["group"] as? String == "tb-study")
            #expect(hparams["status"] as? String == "STATUS_SUCCESS")
            rates.append(try #require((hparams["hparams"] as? [String: Any])?["optimizer.learning_rate"] as? Double))
        }
        #expect(rates.sorted() == [0.01, 0.1], "each trial's session carries its own learning rate")
    }

    /// Runs scripts/tensorboard-check on `dir`; cancels the test when tensorboard cannot be installed here.
    func tensorBoardCheck(_ dir: String, expect: String) async throws -> [String: Any] {
        let run = try await runScript(packageRoot().appendingPathComponent("scripts/tensorboard-check").path, [dir, "--expect", expect], environment: [:])
        let python = packageRoot().appendingPathComponent(".build/tensorboard/bin/python").path
        if run.status != 0, exitStatus(python, ["-c", "import tensorboard"]) != 0 {
            try Test.cancel("TensorBoard check skipped: tensorboard could not be installed into .build/tensorboard:\n\(run.output)")
        }
        #expect(run.status == 0, "tensorboard-check \(dir) failed:\n\(run.output)")
        return try #require(run.result, "no RESULT line:\n\(run.output)")
    }
}
}
