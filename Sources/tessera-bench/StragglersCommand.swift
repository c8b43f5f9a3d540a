import ArgumentParser
import Foundation

/// `tessera-bench stragglers`: 3 workerd processes, one of them slowed (`workerd --slowdown 3`),
/// through sync N = 3 (b = 0), sync N = 2 with one backup worker (b = 1) and async; each also
/// without the slowed worker as the baseline. Steps/s and held-out accuracy after a fixed wall time.
struct StragglersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stragglers",
        abstract: "Sync without and with a backup worker, and async, when one of 3 workers is 3× slower.")

    @OptionGroup var paths: ClusterBenchOptions

    @Option(help: "Slowdown factor of the straggler (workerd --slowdown).")
    var slowdown = 3.0

    @Option(help: "Wall seconds each job runs before it is cancelled.")
    var seconds = 20.0

    @Option(help: "Rows per batch (larger batches make compute, which the slowdown scales, the bigger part of a step).")
    var batchSize = 512

    @Option(help: "Configurations (comma-separated): sync_b0, sync_b1, async.")
    var configs = "sync_b0,sync_b1,async"

    /// One consistency configuration of the comparison.
    struct Config {
        var name: String
        var yaml: String
        var label: String
    }

    func run() async throws {
        let dataRoot = paths.resolvedDataRoot
        let bin = paths.bin
        let chosen = try configs.split(separator: ",").map { try Self.config(String($0), batch: batchSize) }
        let loadBefore = loadAverage()

        // results[slowed][config name]
        var results: [Bool: [String: JobRun]] = [:]
        var stragglerIsChief: [String: Bool] = [:]
        // Each configuration runs without and then with the straggler back to back, on a fresh cluster
        // each time, so the two figures of a ratio see the same load on this shared machine.
        for config in chosen {
            for slowed in [false, true] {
                let cluster = try BenchCluster(bin: bin)
                var launches = Array(repeating: BenchCluster.WorkerLaunch(), count: 3)
                if slowed { launches[2].arguments = ["--slowdown", String(slowdown)] }
                do {
                    try await cluster.start(dataRoot: dataRoot, workers: launches)
                    FileHandle.standardError.write(Data("==> \(config.label), \(slowed ? "worker-2 slowed \(slowdown)×" : "no straggler"), \(Int(seconds)) s\n".utf8))
                    let run = try await JobRun.run(try cluster.api, yaml: config.yaml, limit: seconds)
                    results[slowed, default: [:]][config.name] = run
                    if slowed { stragglerIsChief[config.name] = run.job.workers.first { $0.nodeName == "worker-2" }?.index == 0 }
                    FileHandle.standardError.write(Data(String(format: "    %.1f steps/s, stale dropped %d, accuracy %.4f, load average %.2f\n",
                                                               run.stepsPerSecond, run.job.staleDropped, run.lastAccuracy ?? .nan, loadAverage()).utf8))
                    cluster.stop()
                } catch {
                    cluster.stop(keep: true)
                    throw error
                }
            }
        }
        let loadAfter = loadAverage()

        var ratios: [String: Double] = [:]
        var rows: [[String]] = []
        var json: [String: Any] = [
            "bench": "stragglers", "workers": 3, "slowdown": slowdown, "seconds": seconds, "batch": batchSize,
            "model": "mlp 784-128-64-10, adam 1e-3, 1 psd", "load_average_before": BenchOutput.round3(loadBefore),
            "load_average_after": BenchOutput.round3(loadAfter),
            "definitions": "steps_per_s: applied updates (shard versions) / seconds between the first and last change seen by polling GetJob every 0.2 s; ratio: slowed steps_per_s / unslowed steps_per_s of the same configuration; accuracy: the chief's last evaluation on the 10k test images before the job was cancelled",
        ]
        for config in chosen {
            guard let base = results[false]?[config.name], let slow = results[true]?[config.name] else { continue }
            let ratio = slow.stepsPerSecond / base.stepsPerSecond
            ratios[config.name] = ratio
            rows.append([config.label, String(format: "%.1f", base.stepsPerSecond), String(format: "%.1f", slow.stepsPerSecond),
                         String(format: "%.0f %%", ratio * 100), String(format: "%.4f", base.lastAccuracy ?? .nan),
                         String(format: "%.4f", slow.lastAccuracy ?? .nan), String(slow.job.staleDropped)])
            json[config.name] = [
                "unslowed": Self.figures(base), "slowed": Self.figures(slow), "ratio": BenchOutput.round3(ratio),
                "straggler_was_chief": stragglerIsChief[config.name] ?? false,
            ] as [String: Any]
        }
        print("3 workers (MNIST MLP 784-128-64-10, batch \(batchSize)), one slowed \(slowdown)×, \(Int(seconds)) s per run, load average \(String(format: "%.2f", loadBefore)) → \(String(format: "%.2f", loadAfter))")
        BenchOutput.printTable(["configuration", "steps/s unslowed", "steps/s slowed", "ratio", "accuracy unslowed", "accuracy slowed", "stale dropped (slowed)"], rows)
        json["sync_b0_ratio"] = ratios["sync_b0"].map(BenchOutput.round3) ?? NSNull()
        json["sync_b1_ratio"] = ratios["sync_b1"].map(BenchOutput.round3) ?? NSNull()
        json["async_ratio"] = ratios["async"].map(BenchOutput.round3) ?? NSNull()
        print("wrote \(try BenchOutput.writeJSON("stragglers", json))")

        print(BenchOutput.result([
            "bench": "stragglers", "sync_b0_ratio": ratios["sync_b0"] as Any, "sync_b1_ratio": ratios["sync_b1"] as Any,
            "async_ratio": ratios["async"] as Any,
        ]))
    }

    private static func figures(_ run: JobRun) -> [String: Any] {
        [
            "steps_per_s": BenchOutput.round3(run.stepsPerSecond), "samples_per_s": Int(run.samplesPerSecond.isFinite ? run.samplesPerSecond.rounded() : 0),
            "accuracy": run.lastAccuracy.map(BenchOutput.round3) ?? NSNull(), "steps": run.job.step, "stale_dropped": run.job.staleDropped,
            "effective_replicas": run.job.effectiveReplicas,
        ]
    }

    /// The job spec of a configuration.
    static func config(_ name: String, batch: Int) throws -> Config {
        let training: [String]
        let label: String
        switch name {
        case "sync_b0":
            training = ["mode: sync", "replicas_to_aggregate: 3", "backup_workers: 0", "eval_every_steps: 150"]
            label = "sync N=3 b=0"
        case "sync_b1":
            training = ["mode: sync", "replicas_to_aggregate: 2", "backup_workers: 1", "eval_every_steps: 150"]
            label = "sync N=2 b=1"
        case "async":
            training = ["mode: async", "eval_every_steps: 450"]
            label = "async"
        default:
            throw ValidationError("unknown configuration \(name): use sync_b0, sync_b1 or async")
        }
        let yaml = MNISTJobSpec.yaml(name: "stragglers-\(name)", batch: batch, training: training + ["epochs: 1000", "seed: 1"], workers: 3)
        return Config(name: name, yaml: yaml, label: label)
    }
}
