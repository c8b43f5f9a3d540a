import ArgumentParser
import Foundation

/// `tessera-bench scale-workers`: Chen et al.'s backup-worker experiment on one machine — 50 (and 100) workerd
/// processes whose steps take a simulated, seeded, heavy-tailed time (`workerd --step-delay lognormal:…`), training
/// the MNIST MLP with the same total batch in sync b = 0, b = 2, b = 4 and async; time to 97 % / 98 % test accuracy,
/// steps/s, dropped gradients and final accuracy of each, compared in the same run.
struct ScaleWorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale-workers",
        abstract: "Many workers with simulated uneven step times: sync with and without backup workers vs async, time to accuracy.")

    @OptionGroup var paths: ClusterBenchOptions

    @Option(help: "Worker counts N (comma-separated); each runs every configuration. A count the machine's free memory does not hold is skipped with the reason.")
    var workers = "50"

    @Option(help: "Configurations (comma-separated): sync_bK (N of N + K workers) and async (N workers); NAME@LR gives one its own Adam learning rate.")
    var configs = "sync_b0,sync_b2,sync_b4,async,async@0.001"

    @Option(help: "Total batch B: each worker's batch is B / N in every configuration (sync averages N of them per update; async applies each).")
    var totalBatch = 800

    @Option(help: "Simulated compute time per step of every worker (workerd --step-delay), e.g. lognormal:MEDIAN_MS,SIGMA.")
    var delay = "lognormal:100,0.6"

    @Option(help: "Seed of worker 0's delays; worker i uses seed + i.")
    var delaySeed: UInt64 = 1000

    @Option(help: "Training seconds (from the first applied step) after which a configuration is cancelled.")
    var seconds = 180.0

    @Option(help: "The job stops (succeeds) at this test accuracy (training.stop_at; 0: run until --seconds).")
    var stopAt = 0.98

    @Option(help: "Adam learning rate (the same for every configuration).")
    var learningRate = 0.003

    @Option(help: "The chief evaluates on the 10k test images about every this many training rows applied.")
    var evalSamples = 4000

    @Option(help: "psd shards (the coordinator psd is shard 0).")
    var shards = 1

    @Option(help: "Memory per workerd in MiB for the check before starting: the peak while every worker decodes its shard of MNIST at once (measured ≈ 105 MiB a process with 20; ≈ 250 before workers decoded their shard alone).")
    var workerMib = 120.0

    func validate() throws {
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600]") }
        guard (1...8).contains(shards) else { throw ValidationError("--shards must be 1…8") }
        guard stopAt >= 0, stopAt <= 1 else { throw ValidationError("--stop-at must be in [0, 1]") }
        guard evalSamples > 0, learningRate > 0, workerMib > 0 else { throw ValidationError("--eval-samples, --learning-rate and --worker-mib must be positive") }
    }

    func run() async throws {
        ScaleWorkersChildren.shared.installSignalHandlers()
        let counts = try workers.split(separator: ",").map { text -> Int in
            guard let n = Int(text), (1...1000).contains(n) else { throw ValidationError("--workers takes counts in 1…1000, got \(text)") }
            return n
        }
        let names = configs.split(separator: ",").map(String.init)
        let plans = try counts.map { n in try names.map { try ScaleWorkersConfig.make($0, workers: n, totalBatch: totalBatch, evalSamples: evalSamples) } }
        var report = ScaleWorkersReport(options: self)
        for plan in plans {
            for config in plan {
                let needed = Double(config.processes) * workerMib + 500
                if let available = ScaleWorkersCluster.availableMiB(), available < needed {
                    let reason = String(format: "%d workerd need ~%.0f MiB (%.0f each, + psd), %.0f MiB available", config.processes, needed, workerMib, available)
                    FileHandle.standardError.write(Data("==> skipped \(config.label): \(reason)\n".utf8))
                    report.skip(config, reason: reason)
                    continue
                }
                do {
                    report.add(config, try await runOne(config))
                } catch {
                    // One configuration failing (a crash of the coordinator, a FAILED job) is recorded; the others still run.
                    FileHandle.standardError.write(Data("==> \(config.label) failed: \(error)\n".utf8))
                    report.skip(config, reason: "failed: \(error)")
                }
            }
        }
        report.finish()
    }

    /// One configuration on a fresh cluster (so every configuration starts from the same state); the cluster is
    /// stopped whatever happens.
    private func runOne(_ config: ScaleWorkersConfig) async throws -> ScaleWorkersReport.Row {
        let cluster = try ScaleWorkersCluster(bin: paths.bin)
        do {
            let load = loadAverage()
            FileHandle.standardError.write(Data("==> \(config.label): starting \(shards) psd + \(config.processes) workerd (--step-delay \(delay)), load average \(String(format: "%.2f", load))\n".utf8))
            try await cluster.start(dataRoot: paths.resolvedDataRoot, shards: shards, workers: config.processes, delay: delay,
                                    seed: delaySeed, heartbeatTimeout: 120)
            let yaml = config.yaml(learningRate: learningRate, shards: shards, stopAt: stopAt)
            let run = try await ScaleWorkersRun.run(cluster, yaml: yaml, limit: seconds)
            let row = ScaleWorkersReport.Row(config: config, run: run, loadAverage: load,
                                             modelStepsPerSecond: ScaleWorkersModel.stepsPerSecond(delay: delay, workers: config.processes, aggregate: config.aggregate))
            FileHandle.standardError.write(Data(row.summary.utf8))
            cluster.stop(keep: !run.exited.isEmpty)  // logs of a crash stay
            return row
        } catch {
            FileHandle.standardError.write(Data("==> logs of \(config.label) kept in \(cluster.dir.path)/logs\n".utf8))
            cluster.stop(keep: true)
            throw error
        }
    }
}
