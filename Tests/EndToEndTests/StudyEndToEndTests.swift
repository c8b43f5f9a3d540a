import Foundation
import Testing

extension EndToEndProcesses {
    /// Studies on real processes (docs/tuning.md): clusterctl tune, trials as labelled jobs, describe study-N, the
    /// best trial's export, a bad study refused at submit, and a coordinator restart in the middle of a study.
    @Suite(.serialized, .timeLimit(.minutes(5)))
    struct StudyEndToEndTests {
        /// The breast-cancer logistic regression with its learning rate tuned (log scale) and trials judged by ASHA.
        static func study(name: String, trials: Int, parallel: Int, steps: Int = 300) -> String {
            """
            kind: Study
            name: \(name)
            \(cancerLogisticJob)
            training:
              mode: async
              max_steps: \(steps)
              eval_every_steps: 50
              seed: 3
            cluster: {workers: 1, ps_shards: 1}
            tuning:
              goal: maximize
              metric: accuracy
              max_trials: \(trials)
              max_parallel_trials: \(parallel)
              algorithm: random
              seed: 11
              params:
                - {key: optimizer.learning_rate, type: double, min: 0.00001, max: 0.3, scale: log}
                - {key: data.batch_size, type: discrete, values: [8, 16, 32]}
              early_stopping: {rule: asha, min_steps: 100, reduction_factor: 2}
            """
        }

        func write(_ text: String, _ name: String, in dir: URL) throws -> String {
            let file = dir.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            return file.path
        }

        /// Polls `describe ID --json` until `done` holds (or 150 s pass); the last answer.
        func waitForStudy(_ ctl: ([String]) throws -> (status: Int32, stdout: String, stderr: String), _ id: String,
                          until done: ([String: Any]) -> Bool) throws -> [String: Any] {
            var last: [String: Any] = [:]
            let deadline = Date().addingTimeInterval(150)
            while Date() < deadline {
                if let out = try? ctl(["describe", id, "-o", "json"]), out.status == 0, let study = try? jsonObject(out.stdout) {
                    last = study
                    if done(study) { return study }
                }
                Thread.sleep(forTimeInterval: 0.3)
            }
            return last
        }

        @Test func aStudyRunsItsTrialsAsJobsAndExportsItsBestTrial() throws {
            let cluster = try LocalProcesses()
            defer { cluster.stop() }
            try cluster.startCluster(shards: 1, workers: 2, dataRoot: testDataRoot())

            // A bad key is refused at submit, naming its path; nothing starts.
            let bad = try write(Self.study(name: "bad", trials: 4, parallel: 2).replacingOccurrences(of: "max_trials:", with: "max_trails:"), "bad.yaml", in: cluster.dir)
            let refused = try cluster.clusterctl(["tune", bad])
            #expect(refused.status != 0 && refused.stderr.contains("tuning.max_trails") && refused.stderr.contains("max_trials"), "\(refused.stderr)")
            let dry = try cluster.clusterctl(["tune", try write(Self.study(name: "dry", trials: 4, parallel: 2), "dry.yaml", in: cluster.dir), "--dry-run"])
            #expect(dry.status == 0 && dry.stdout.contains("dry run: valid"), "\(dry)")
            #expect(try cluster.clusterctl(["jobs", "-o", "name"]).stdout.isEmpty)

            // --follow prints each trial as it starts and ends, then the ranking; exit 0 when the study succeeded.
            let file = try write(Self.study(name: "lr", trials: 6, parallel: 2), "lr.yaml", in: cluster.dir)
            let followed = try cluster.clusterctl(["tune", file, "--follow", "--interval", "0.3"])
            #expect(followed.status == 0, "\(followed.stderr)\n\(followed.stdout)")
            #expect(followed.stdout.contains("submitted study-1 (lr)") && followed.stdout.contains("trial 6"), "\(followed.stdout)")
            #expect(followed.stdout.contains("RANK") && followed.stdout.contains("optimizer.learning_rate"), "\(followed.stdout)")

            let study = try jsonObject(try cluster.clusterctl(["describe", "study-1", "-o", "json"]).stdout)
            let trials = try #require(study["trials"] as? [[String: Any]])
            #expect(study["state"] as? String == "SUCCEEDED" && trials.count == 6)
            // Best first; the best trial's accuracy is what a tuned logistic regression reaches on this data.
            let best = try #require(trials.first)
            #expect(study["best_trial"] as? Int == best["number"] as? Int)
            #expect((best["value"] as? Double ?? 0) >= 0.93, "\(best)")
            let values = trials.compactMap { $0["value"] as? Double }
            #expect(values == values.sorted(by: >))
            // Every trial is one job, labelled with its study; a stopped trial's job was cancelled with the rule's reason.
            let jobs = try #require(try JSONSerialization.jsonObject(with: Data(cluster.clusterctl(["jobs", "-o", "json"]).stdout.utf8)) as? [[String: Any]])
            #expect(jobs.filter { $0["study"] as? String == "study-1" }.count == 6)
            #expect(Set(jobs.compactMap { $0["trial"] as? Int }) == Set(1...6))
            for trial in trials where trial["state"] as? String == "stopped" {
                #expect(trial["job_state"] as? String == "CANCELLED" && (trial["reason"] as? String ?? "").contains("rung"), "\(trial)")
            }
            // (study-1 trial-steps) ≤ 6 × 300 + what the last reports overshoot.
            #expect((study["trial_steps"] as? Int ?? 0) > 0)

            // The best trial's variables in one command.
            let out = cluster.dir.appendingPathComponent("best.safetensors").path
            let exported = try cluster.clusterctl(["export", "study-1", "--out", out])
            #expect(exported.status == 0 && exported.stdout.contains(best["job"] as? String ?? "?"), "\(exported)")
            #expect(FileManager.default.fileExists(atPath: out))
            let listed = try cluster.clusterctl(["studies"])
            #expect(listed.status == 0 && listed.stdout.contains("study-1") && listed.stdout.contains("6/6"), "\(listed.stdout)")
        }

        @Test func aCoordinatorRestartMidStudyContinuesItWithoutRerunningFinishedTrials() throws {
            let cluster = try RestartableCluster(shards: 1, workers: 2, dataRoot: testDataRoot())
            defer { cluster.killAll() }
            try cluster.start()
            let file = try write(Self.study(name: "restart", trials: 6, parallel: 2, steps: 400), "restart.yaml", in: cluster.dir)
            var submitted: (status: Int32, stdout: String, stderr: String) = (1, "", "")
            for _ in 0..<100 {
                submitted = try cluster.clusterctl(["tune", file, "-o", "json"])
                if submitted.status == 0 { break }
                Thread.sleep(forTimeInterval: 0.2)
            }
            #expect(submitted.status == 0, "\(submitted.stderr)")

            // Kill everything (SIGKILL) once two trials ended; start again with the same data dirs.
            func ended(_ s: [String: Any]) -> [[String: Any]] {
                ((s["trials"] as? [[String: Any]]) ?? []).filter { ["succeeded", "stopped", "failed"].contains($0["state"] as? String ?? "") }
            }
            let before = try waitForStudy(cluster.clusterctl, "study-1") { ended($0).count >= 2 }
            let finishedBefore = ended(before).map { ($0["number"] as? Int ?? 0, $0["job"] as? String ?? "", $0["state"] as? String ?? "") }
            #expect(finishedBefore.count >= 2, "\(before)")
            cluster.killAll()
            try cluster.start()

            let after = try waitForStudy(cluster.clusterctl, "study-1") { ($0["state"] as? String ?? "RUNNING") != "RUNNING" }
            #expect(after["state"] as? String == "SUCCEEDED", "\(after)")
            let trials = (after["trials"] as? [[String: Any]]) ?? []
            #expect(trials.count == 6)
            // The trials that had ended keep their job and outcome: none ran again.
            for (number, job, state) in finishedBefore {
                let now = trials.first { $0["number"] as? Int == number }
                #expect(now?["job"] as? String == job && now?["state"] as? String == state, "trial \(number): \(String(describing: now))")
            }
            let jobs = (try? JSONSerialization.jsonObject(with: Data(cluster.clusterctl(["jobs", "-o", "json"]).stdout.utf8)) as? [[String: Any]]) ?? []
            #expect(jobs.filter { $0["study"] as? String == "study-1" }.count == 6, "one job per trial")
        }
    }
}
