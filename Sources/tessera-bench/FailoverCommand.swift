import ArgumentParser
import ClusterRuntime
import Foundation

/// `tessera-bench failover`: what a worker's death costs a running job. 3 workers train the MNIST
/// MLP; after a warm-up one workerd is killed with SIGKILL and not restarted. Applied steps/s
/// before the kill, in the first seconds after it and once the coordinator has declared the
/// worker dead — for sync N = 2 with one backup, sync N = 3 with none (the effective N is lowered
/// when the worker is declared dead), and async.
struct FailoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Steps/s of a 3-worker job before and after one worker is killed (sync b=1, sync b=0, async).")

    @OptionGroup var paths: ClusterBenchOptions

    @Option(help: "Configurations (comma-separated): sync_b1, sync_b0, async.")
    var configs = "sync_b1,sync_b0,async"

    @Option(help: "Seconds of training before the kill (after the first step).")
    var before = 10.0

    @Option(help: "Seconds of training after the kill.")
    var after = 15.0

    @Option(help: "Seconds after the kill counted as 'right after' (the coordinator's dead timeout is a few seconds).")
    var window = 4.0

    /// One configuration's measurement.
    struct Run {
        var name: String
        var before: Double
        var rightAfter: Double
        var later: Double
    }

    func run() async throws {
        let dataRoot = paths.resolvedDataRoot
        let bin = paths.bin
        var runs: [Run] = []
        for name in configs.split(separator: ",").map(String.init) {
            guard ["sync_b1", "sync_b0", "async"].contains(name) else { throw ValidationError("unknown config \(name)") }
            let cluster = try BenchCluster(bin: bin)
            do {
                try await cluster.start(dataRoot: dataRoot, workers: Array(repeating: .init(), count: 3))
                FileHandle.standardError.write(Data("==> \(name): \(before) s, then SIGKILL workerd-2, then \(after) s\n".utf8))
                let run = try await measure(name, cluster)
                runs.append(run)
                FileHandle.standardError.write(Data(String(format: "    %.1f steps/s before, %.1f in the %g s after, %.1f later\n",
                                                           run.before, run.rightAfter, window, run.later).utf8))
                cluster.stop()
            } catch {
                cluster.stop(keep: true)
                throw error
            }
        }
        BenchOutput.printTable(["config", "steps/s before", "steps/s 0–\(Int(window)) s after", "steps/s later", "dip", "later / before"], runs.map {
            [$0.name, String(format: "%.1f", $0.before), String(format: "%.1f", $0.rightAfter), String(format: "%.1f", $0.later),
             String(format: "%.0f %%", 100 * $0.rightAfter / $0.before), String(format: "%.0f %%", 100 * $0.later / $0.before)]
        })
        var json: [String: Any] = ["bench": "failover", "load_average": BenchOutput.round3(loadAverage()), "kill_after_s": before,
                                   "window_s": window, "model": "mlp 784-128-64-10, batch 64, 3 workers, 1 psd"]
        for run in runs {
            // A window without two samples has no rate (NaN): JSON null.
            func rate(_ x: Double) -> Any { x.isFinite ? BenchOutput.round3(x) : NSNull() }
            json[run.name] = ["steps_per_s_before": rate(run.before), "steps_per_s_right_after": rate(run.rightAfter), "steps_per_s_later": rate(run.later)]
        }
        print("wrote \(try BenchOutput.writeJSON("failover", json))")
        func ratio(_ name: String) -> Double? { runs.first { $0.name == name }.map { $0.rightAfter / $0.before } }
        print(BenchOutput.result([
            "bench": "failover", "sync_b1_dip_ratio": ratio("sync_b1") as Any, "sync_b0_dip_ratio": ratio("sync_b0") as Any,
            "async_dip_ratio": ratio("async") as Any,
        ]))
    }

    /// Submits the job, kills workerd-2 after `before` seconds of steps, samples the job's step every 0.1 s.
    private func measure(_ name: String, _ cluster: BenchCluster) async throws -> Run {
        let client = try cluster.api
        let sync = name.hasPrefix("sync")
        let replicas = sync ? ["replicas_to_aggregate: \(name == "sync_b1" ? 2 : 3)", "backup_workers: \(name == "sync_b1" ? 1 : 0)"] : []
        let yaml = MNISTJobSpec.yaml(
            name: "failover-\(name)", training: ["mode: \(sync ? "sync" : "async")"] + replicas + ["epochs: 50", "seed: 1"], workers: 3)
        let job = try await client.submit(yaml: yaml)
        var samples: [(time: Double, step: Int64)] = []
        var started: Double?
        var killedAt: Double?
        let clock = ContinuousClock()
        let origin = clock.now
        while true {
            let now = BenchOutput.seconds(clock.now - origin)
            let current = try await client.job(job.id)
            if current.state == .failed { throw BenchFailure("\(job.id) failed: \(current.reason)") }
            if current.step > 0 {
                if started == nil { started = now }
                samples.append((now, current.step))
            }
            if let s = started, killedAt == nil, now - s >= before {
                cluster.kill9("workerd-2")
                killedAt = now
            }
            if let k = killedAt, now - k >= after { break }
            if now > before + after + 120 { throw BenchFailure("\(job.id) made no progress; logs in \(cluster.dir.path)/logs") }
            try await Task.sleep(for: .milliseconds(100))
        }
        _ = try? await client.cancel(job.id)
        let kill = killedAt!
        func rate(_ from: Double, _ to: Double) -> Double {
            let inside = samples.filter { $0.time >= from && $0.time <= to }
            guard let first = inside.first, let last = inside.last, last.time > first.time else { return .nan }
            return Double(last.step - first.step) / (last.time - first.time)
        }
        return Run(name: name, before: rate(kill - min(before, 8) + 1, kill), rightAfter: rate(kill, kill + window), later: rate(kill + window, kill + after))
    }
}
