import ArgumentParser
import Foundation

/// `tessera-bench e2e`: the MNIST MLP 784-128-64-10 (batch 64, Adam) trained through a real local
/// cluster (1 psd + 2 workerd processes on loopback), async and sync: samples/s and seconds to
/// 97 % / 98 % test accuracy; beside it the PyTorch RPC parameter server with 2 workers.
struct E2ECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "e2e",
        abstract: "End to end: MNIST MLP through 1 psd + 2 workerd (async and sync) vs the PyTorch RPC parameter server.")

    @OptionGroup var paths: ClusterBenchOptions

    @Option(help: "Modes to run (comma-separated): async, sync.")
    var modes = "async,sync"

    @Option(help: "Epoch cap of each Tessera job (it stops earlier at 98 % test accuracy).")
    var epochs = 20

    @Option(help: "Wall-time cap of each Tessera job in seconds (cancelled after).")
    var limit = 150.0

    @Option(help: "Evaluate on the chief every this many applied steps (async; sync uses half).")
    var evalEvery = 400

    @Option(help: "Epochs of the PyTorch peer (0 skips it).")
    var peerEpochs = 3

    @Option(help: "Directory of the PyTorch peer programs.")
    var peerDir = "../shared/peer"

    @Option(help: "Worker processes.")
    var workers = 2

    @Option(help: "Rounds of (every Tessera mode, then the peer), interleaved so both see the same machine load; the headline ratio is the median of the rounds' ratios.")
    var rounds = 1

    /// One round: each mode's run and the peer's, back to back.
    struct Round {
        var runs: [(mode: String, run: JobRun)] = []
        var peer: TorchPeer.Outcome = .skipped("not run")
        var headline: JobRun? { runs.first { $0.mode == "async" }?.run ?? runs.first?.run }
        var peerRate: Double? { if case .measured(let p) = peer { p.samplesPerSecond } else { nil } }
        var ratio: Double? { peerRate.flatMap { peer in headline.map { $0.samplesPerSecond / peer } } }
    }

    func run() async throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        let dataRoot = paths.resolvedDataRoot
        let bin = paths.bin
        let loadBefore = loadAverage()

        var results: [Round] = []
        for number in 1...rounds {
            var round = Round()
            let cluster = try BenchCluster(bin: bin)
            do {
                try await cluster.start(dataRoot: dataRoot, workers: Array(repeating: .init(), count: workers))
                for mode in modes.split(separator: ",").map(String.init) {
                    guard mode == "async" || mode == "sync" else { throw ValidationError("unknown mode \(mode): use async or sync") }
                    let yaml = Self.spec(mode: mode, workers: workers, epochs: epochs, evalEvery: mode == "sync" ? max(1, evalEvery / workers) : evalEvery)
                    FileHandle.standardError.write(Data("==> round \(number)/\(rounds) tessera \(mode): \(workers) workers, until 98 % test accuracy or \(epochs) epochs\n".utf8))
                    let run = try await JobRun.run(try cluster.api, yaml: yaml, limit: limit)
                    round.runs.append((mode, run))
                    FileHandle.standardError.write(Data(String(format: "    %.0f samples/s, %.1f s, best accuracy %.4f\n",
                                                               run.samplesPerSecond, run.wallSeconds, run.bestAccuracy ?? .nan).utf8))
                }
                cluster.stop()
            } catch {
                cluster.stop(keep: true)
                throw error
            }
            FileHandle.standardError.write(Data("==> round \(number)/\(rounds) pytorch rpc parameter server, \(workers) workers, \(peerEpochs) epochs\n".utf8))
            round.peer = peerEpochs > 0 ? TorchPeer.runParameterServer(peerDir: peerDir, dataRoot: dataRoot, workers: workers, epochs: peerEpochs) : .skipped("--peer-epochs 0")
            results.append(round)
        }
        let loadAfter = loadAverage()

        // Table: one block of rows per round.
        var rows: [[String]] = []
        for (i, round) in results.enumerated() {
            let tag = rounds > 1 ? "r\(i + 1) " : ""
            for (mode, run) in round.runs {
                rows.append([
                    "\(tag)tessera \(mode)", String(format: "%.0f", run.samplesPerSecond), Self.text(run.secondsTo(0.97)), Self.text(run.secondsTo(0.98)),
                    String(format: "%.4f", run.bestAccuracy ?? .nan), String(format: "%.1f", run.wallSeconds), round.ratio.map { String(format: "%.2f", $0) } ?? "",
                ])
            }
            switch round.peer {
            case .measured(let p):
                rows.append(["\(tag)pytorch rpc (async)", String(format: "%.0f", p.samplesPerSecond), Self.text(p.secondsTo(0.97)), Self.text(p.secondsTo(0.98)),
                             String(format: "%.4f", p.bestAccuracy), String(format: "%.1f", p.seconds), ""])
            case .skipped(let why):
                rows.append(["\(tag)pytorch rpc", "not run: \(why)", "", "", "", "", ""])
            }
        }
        print("MNIST MLP 784-128-64-10, batch 64, \(workers) workers on loopback (load average \(String(format: "%.2f", loadBefore)) before, \(String(format: "%.2f", loadAfter)) after)")
        BenchOutput.printTable(["run", "samples/s", "s to 97 %", "s to 98 %", "best accuracy", "wall s", "ratio"], rows)

        // The round with the median ratio (or the first) gives the per-mode figures; the ratio is the median.
        let ratios = results.compactMap(\.ratio)
        let medianRatio = ratios.isEmpty ? nil : BenchOutput.median(ratios)
        let chosen = results.first { $0.ratio == medianRatio } ?? results.min { abs(($0.ratio ?? 0) - (medianRatio ?? 0)) < abs(($1.ratio ?? 0) - (medianRatio ?? 0)) } ?? results[0]
        let async = chosen.runs.first { $0.mode == "async" }?.run
        let sync = chosen.runs.first { $0.mode == "sync" }?.run
        let headline = chosen.headline
        var json: [String: Any] = [
            "bench": "e2e", "model": "mlp 784-128-64-10", "batch": 64, "workers": workers, "shards": 1, "rounds": rounds,
            "load_average_before": BenchOutput.round3(loadBefore), "load_average_after": BenchOutput.round3(loadAfter),
            "definitions": "samples_per_s: samples the workers reported / seconds between the first and last change seen by polling GetJob every 0.2 s; secs_to_N: job start (RUNNING) to the first chief evaluation on the 10k test images at ≥ N; ratio: median over rounds of (Tessera async samples/s ÷ the peer's in the same round)",
        ]
        for (mode, run) in chosen.runs {
            json[mode] = [
                "samples_per_s": Int(run.samplesPerSecond.rounded()), "steps_per_s": BenchOutput.round3(run.stepsPerSecond),
                "secs_to_97": Self.json(run.secondsTo(0.97)), "secs_to_98": Self.json(run.secondsTo(0.98)),
                "best_accuracy": Self.json(run.bestAccuracy), "wall_s": BenchOutput.round3(run.wallSeconds),
                "steps": run.job.step, "stale_dropped": run.job.staleDropped,
                "evaluations": run.evaluations.map { ["secs": BenchOutput.round3($0.seconds), "step": $0.step, "accuracy": $0.accuracy] },
            ] as [String: Any]
        }
        json["per_round"] = results.map { round -> [String: Any] in
            var o: [String: Any] = ["peer_samples_per_s": round.peerRate.map { Int($0.rounded()) } ?? NSNull(), "ratio": round.ratio.map(BenchOutput.round3) ?? NSNull()]
            for (mode, run) in round.runs { o["\(mode)_samples_per_s"] = Int(run.samplesPerSecond.rounded()); o["\(mode)_secs_to_98"] = Self.json(run.secondsTo(0.98)) }
            return o
        }
        switch chosen.peer {
        case .measured(let p):
            json["peer"] = ["samples_per_s": Int(p.samplesPerSecond.rounded()), "secs_to_97": Self.json(p.secondsTo(0.97)),
                            "secs_to_98": Self.json(p.secondsTo(0.98)), "best_accuracy": p.bestAccuracy, "epochs": p.epochs.count,
                            "program": "\(peerDir)/torch_ps_rpc.py train --workers \(workers) --epochs \(peerEpochs)"] as [String: Any]
        case .skipped(let why):
            json["peer"] = NSNull()
            json["peer_note"] = why
        }
        let rate = headline?.samplesPerSecond ?? .nan
        let peerRate = chosen.peerRate
        json["samples_per_s"] = Int(rate.isFinite ? rate.rounded() : 0)
        json["peer_samples_per_s"] = peerRate.map { Int($0.rounded()) } ?? NSNull()
        json["ratio"] = medianRatio.map(BenchOutput.round3) ?? NSNull()
        json["secs_to_98"] = Self.json(headline?.secondsTo(0.98))
        print("wrote \(try BenchOutput.writeJSON("e2e", json))")

        if async == nil, sync != nil { print("note: samples_per_s and secs_to_98 are the sync run's (async was not run)") }
        if rounds > 1 { print("ratio per round: \(ratios.map { String(format: "%.2f", $0) }.joined(separator: ", ")); median \(medianRatio.map { String(format: "%.2f", $0) } ?? "n/a")") }
        print(BenchOutput.result([
            "bench": "e2e", "samples_per_s": rate, "peer_samples_per_s": peerRate as Any, "ratio": medianRatio as Any,
            "secs_to_98": headline?.secondsTo(0.98) as Any,
        ]))
    }

    /// The job spec of one run.
    static func spec(mode: String, workers: Int, epochs: Int, evalEvery: Int) -> String {
        MNISTJobSpec.yaml(
            name: "e2e-mnist-mlp-\(mode)",
            training: ["mode: \(mode)"] + (mode == "sync" ? ["replicas_to_aggregate: \(workers)"] : [])
                + ["epochs: \(epochs)", "eval_every_steps: \(evalEvery)", "seed: 1", "stop_at: {metric: accuracy, value: 0.98}"],
            workers: workers)
    }

    private static func text(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f", $0) } ?? "not reached" }
    private static func json(_ value: Double?) -> Any { value.map(BenchOutput.round3) ?? NSNull() }
}
