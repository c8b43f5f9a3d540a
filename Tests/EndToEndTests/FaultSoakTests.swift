import Foundation
import Testing

extension EndToEndProcesses {
/// The fault-injection soak (opt-in: TESSERA_SOAK=1, several minutes): for each role (worker, psd shard,
/// coordinator psd), each mode (sync N = 2 with 1 backup, async) and several seeds, SIGKILL the role at a random
/// step, restart it, and assert the job still reaches SUCCEEDED at max_steps with the accuracy target.
/// Three workloads: breast-cancer logistic regression (3 seeds), an MNIST MLP and census wide & deep with sparse
/// embedding rows (1 seed each).
@Suite(.serialized, .timeLimit(.minutes(40)))
struct FaultSoakTests {
    enum Role: String, CaseIterable { case worker, shard, coordinator }

    /// A job to soak: its spec, its length, where kills may land and the accuracy it must still reach.
    struct Workload {
        var name: String
        var seeds: Int
        var maxSteps: (sync: Int, async: Int)
        var killRange: (sync: ClosedRange<Int>, async: ClosedRange<Int>)
        var minAccuracy: Double
        var body: String

        func spec(name: String, sync: Bool) -> String {
            """
            name: \(name)
            \(body)
            training:
              mode: \(sync ? "sync\n  replicas_to_aggregate: 2\n  backup_workers: 1" : "async")
              max_steps: \(sync ? maxSteps.sync : maxSteps.async)
              seed: 5
              checkpoint: {every_steps: 100, every_seconds: 2, keep: 3}
            cluster: {workers: 3, ps_shards: 2}
            """
        }
    }

    static let cancer = Workload(
        name: "cancer", seeds: 3, maxSteps: (2000, 12000), killRange: (150...1500, 150...9000), minAccuracy: 0.95,
        body: cancerLogisticJob)

    static let mnist = Workload(
        name: "mnist", seeds: 2, maxSteps: (700, 2400), killRange: (150...550, 150...1900), minAccuracy: 0.93,
        body: """
            model: {type: mlp, hidden: [64], activation: relu}
            data:
              format: idx
              train: mnist/train-images-idx3-ubyte.gz
              train_labels: mnist/train-labels-idx1-ubyte.gz
              test: mnist/t10k-images-idx3-ubyte.gz
              test_labels: mnist/t10k-labels-idx1-ubyte.gz
              batch_size: 64
            optimizer: {type: adam, learning_rate: 0.002}
            """)

    static let census = Workload(
        name: "census", seeds: 1, maxSteps: (500, 1500), killRange: (150...400, 150...1200), minAccuracy: 0.82,
        body: """
            model:
              type: wide_deep
              hidden: [64, 32]
              wide_deep:
                embedding_dim: 8
                vocabulary_hint: 1000
                categorical: [workclass, education, marital-status, occupation, relationship, race, gender, native-country]
                numeric: [age, educational-num, capital-gain, capital-loss, hours-per-week]
                wide: [workclass, education, occupation, "education*occupation"]
            data:
              format: csv
              train: adult/adult.csv.gz
              label: income
              test_fraction: 0.2
              normalize: standard
              batch_size: 64
            optimizer: {type: adam, learning_rate: 0.002}
            """)

    @Test(arguments: [true, false])
    func killEveryRoleAtRandomStepsAndTheCancerJobStillFinishes(sync: Bool) throws {
        try soak(Self.cancer, sync: sync)
    }

    @Test(arguments: [true, false])
    func killEveryRoleAtRandomStepsAndTheMNISTJobStillFinishes(sync: Bool) throws {
        try soak(Self.mnist, sync: sync)
    }

    @Test(arguments: [true, false])
    func killEveryRoleAtRandomStepsAndTheCensusJobStillFinishes(sync: Bool) throws {
        try soak(Self.census, sync: sync)
    }

    func soak(_ workload: Workload, sync: Bool) throws {
        guard ProcessInfo.processInfo.environment["TESSERA_SOAK"] == "1" else {
            try Test.cancel("fault soak is opt-in: TESSERA_SOAK=1 swift test --filter FaultSoakTests")
        }
        let maxSteps = sync ? workload.maxSteps.sync : workload.maxSteps.async
        var survived = 0
        for seed in 1...workload.seeds {
            var generator = SystemRandomNumberGenerator()
            for role in Role.allCases {
                let cluster = try RestartableCluster(shards: 2, workers: 3, dataRoot: testDataRoot())
                try cluster.start()
                let name = "soak-\(workload.name)-\(sync ? "sync" : "async")-\(role.rawValue)-\(seed)"
                let id = try cluster.submit(workload.spec(name: name, sync: sync), name: name)
                let killAt = Int.random(in: sync ? workload.killRange.sync : workload.killRange.async, using: &generator)
                let reached = cluster.waitFor(id, seconds: 180) { ($0["step"] as? Int ?? 0) >= killAt && $0["checkpoint"] is [String: Any] }
                try #require(reached != nil, "\(name): never reached step \(killAt); logs in \(cluster.dir.path)/logs")
                let victim: String
                switch role {
                case .worker: victim = "workerd-\(Int.random(in: 0..<3, using: &generator))"
                case .shard: victim = "psd-1"
                case .coordinator: victim = "psd-0"
                }
                cluster.kill9(victim)
                Thread.sleep(forTimeInterval: Double.random(in: 0.2...2, using: &generator))
                switch role {
                case .worker: try cluster.startWorker(Int(victim.dropFirst("workerd-".count))!)
                case .shard: try cluster.startPSD(1)
                case .coordinator: try cluster.startPSD(0)
                }
                let done = cluster.waitFor(id, seconds: 300) { ["SUCCEEDED", "FAILED", "CANCELLED"].contains($0["state"] as? String ?? "") }
                let final = try #require(done, "\(name): did not end; logs in \(cluster.dir.path)/logs")
                let accuracy = (final["metrics"] as? [String: Any])?["accuracy"] as? Double ?? 0
                #expect(final["state"] as? String == "SUCCEEDED", "\(name) (killed \(victim) at step \(killAt)): \(final["reason"] ?? "")")
                #expect((final["step"] as? Int ?? 0) >= maxSteps, "\(name): step \(final["step"] ?? "")")
                #expect(accuracy >= workload.minAccuracy, "\(name): held-out accuracy \(accuracy)")
                // Accounting: the backup's gradients are dropped in sync mode and none in async (no staleness bound);
                // checkpoints were taken after the restart.
                let stale = final["stale_dropped"] as? Int ?? -1
                #expect(sync ? stale > 0 : stale == 0, "\(name): stale_dropped \(stale)")
                let atKill = (reached?["checkpoint"] as? [String: Any])?["version"] as? Int ?? 0
                // The final checkpoint is taken once the job has SUCCEEDED (after a periodic one in flight, or one that
                // failed while the victim was down and is backing off): wait for it rather than read the job at once.
                let settled = cluster.waitFor(id, seconds: 60) { (($0["checkpoint"] as? [String: Any])?["version"] as? Int ?? 0) > atKill } ?? final
                let checkpointVersion = (settled["checkpoint"] as? [String: Any])?["version"] as? Int ?? 0
                #expect(checkpointVersion > atKill, "\(name): latest checkpoint at \(checkpointVersion), \(atKill) when killed at \(killAt)")
                if final["state"] as? String == "SUCCEEDED", accuracy >= workload.minAccuracy { survived += 1 }
                print("soak \(name): killed \(victim) at step \(killAt) → \(final["state"] ?? "") step \(final["step"] ?? "") accuracy \(accuracy) stale_dropped \(final["stale_dropped"] ?? "") checkpoint \(checkpointVersion)")
                cluster.killAll()
            }
        }
        print("soak \(workload.name) \(sync ? "sync" : "async"): \(survived) of \(workload.seeds * Role.allCases.count) runs survived")
    }
}
}
