import Foundation

/// The figures of `tessera-bench scale-workers`: one row per configuration run, the table, the JSON file
/// (bench-results/scale-workers.json), the ordering found per worker count and the RESULT line; and its chart.
struct ScaleWorkersReport {
    /// One configuration's figures.
    struct Row {
        var config: ScaleWorkersConfig
        var run: ScaleWorkersRun
        var loadAverage: Double
        /// Steps/s the simulated delays alone allow (ScaleWorkersModel); nil for a form it does not model.
        var modelStepsPerSecond: Double?

        /// Seconds to `accuracy` for ordering: never reached counts as infinite.
        func time(_ accuracy: Double) -> Double { run.secondsTo(accuracy) ?? .infinity }

        /// One progress line for stderr.
        var summary: String {
            String(format: "    %.2f steps/s (delays alone: %.2f), ", run.stepsPerSecond, modelStepsPerSecond ?? .nan)
                + "97 % at \(Self.seconds(run.secondsTo(0.97))), 98 % at \(Self.seconds(run.secondsTo(0.98))), "
                + String(format: "final %.4f, stale dropped %lld, %.2f cores (psd %.2f), peak %.0f MiB, startup %.1f s\n",
                         run.finalAccuracy ?? .nan, run.job.staleDropped, run.clusterCores, run.psdCores, run.peakResidentMiB, run.startupSeconds)
        }

        static func seconds(_ value: Double?) -> String { value.map { String(format: "%.1f s", $0) } ?? "not reached" }

        var json: [String: Any] {
            func number(_ x: Double?) -> Any { x.flatMap { $0.isFinite ? BenchOutput.round3($0) : nil } ?? NSNull() }
            return [
                "workers": config.aggregate ?? config.processes, "config": config.name, "label": config.label, "processes": config.processes,
                "per_worker_batch": config.perWorkerBatch, "learning_rate": config.learningRate ?? NSNull(), "samples_per_update": config.samplesPerUpdate, "eval_every_steps": config.evalEverySteps,
                "secs_to_97": number(run.secondsTo(0.97)), "secs_to_98": number(run.secondsTo(0.98)),
                "steps_per_s": number(run.stepsPerSecond), "model_steps_per_s": number(modelStepsPerSecond),
                "applied_samples_per_s": number(run.stepsPerSecond * Double(config.samplesPerUpdate)),
                "worker_samples_per_s": number(run.samplesPerSecond), "stale_dropped": run.job.staleDropped, "steps": run.job.step,
                "final_accuracy": number(run.finalAccuracy), "best_accuracy": number(run.bestAccuracy), "evaluations": run.evaluations.count,
                "startup_s": number(run.startupSeconds), "training_s": number(run.trainingSeconds), "cancelled": run.cancelled,
                "state": run.job.state == .succeeded ? "succeeded" : run.job.state == .cancelled ? "cancelled" : "\(run.job.state)",
                "cluster_cores": number(run.clusterCores), "psd_cores": number(run.psdCores), "peak_rss_mib": number(run.peakResidentMiB),
                "load_average": number(loadAverage), "effective_replicas": run.job.effectiveReplicas, "exited_processes": run.exited,
                "accuracy_curve": run.evaluations.map { [BenchOutput.round3($0.seconds), BenchOutput.round3($0.accuracy)] },
            ]
        }
    }

    let options: ScaleWorkersCommand
    private var rows: [Row] = []
    private var skipped: [[String: Any]] = []
    private let loadBefore = loadAverage()

    init(options: ScaleWorkersCommand) { self.options = options }

    mutating func add(_ config: ScaleWorkersConfig, _ row: Row) { rows.append(row) }

    mutating func skip(_ config: ScaleWorkersConfig, reason: String) {
        skipped.append(["workers": config.aggregate ?? config.processes, "config": config.name, "reason": reason])
    }

    /// Configurations of one worker count ordered by time to 98 %, then 97 %, then best accuracy.
    private func ordered(_ n: Int) -> [Row] {
        rows.filter { ($0.config.aggregate ?? $0.config.processes) == n }.sorted {
            ($0.time(0.98), $0.time(0.97), -($0.run.bestAccuracy ?? 0)) < ($1.time(0.98), $1.time(0.97), -($1.run.bestAccuracy ?? 0))
        }
    }

    /// Whether the best sync-with-backups configuration reached `target` before sync b = 0 and every async one (nil
    /// when one of the three did not run or no backup configuration reached it).
    private func paperHolds(_ n: Int, target: Double) -> Bool? {
        let group = rows.filter { ($0.config.aggregate ?? $0.config.processes) == n }
        let backups = group.filter { $0.config.aggregate != nil && $0.config.backups > 0 }.map { $0.time(target) }.min()
        guard let backups, backups.isFinite,
            let plain = group.first(where: { $0.config.aggregate != nil && $0.config.backups == 0 }),
            let async = group.filter({ $0.config.aggregate == nil }).map({ $0.time(target) }).min()
        else { return nil }
        return backups < plain.time(target) && backups < async
    }

    /// Prints the table, writes the JSON and prints the RESULT line.
    func finish() {
        let counts = Array(Set(rows.map { $0.config.aggregate ?? $0.config.processes })).sorted()
        print("MNIST MLP 784-128-64-10, Adam \(options.learningRate), total batch \(options.totalBatch), --step-delay \(options.delay) per worker, \(options.shards) psd shard(s), cap \(Int(options.seconds)) s, load average \(String(format: "%.2f", loadBefore)) → \(String(format: "%.2f", loadAverage()))")
        BenchOutput.printTable(
            ["configuration", "batch/worker", "s to 97 %", "s to 98 %", "steps/s", "delays alone", "samples/s applied", "stale dropped", "final acc", "cores", "startup s", "crashed"],
            rows.map { row in
                [row.config.label, String(row.config.perWorkerBatch), Row.seconds(row.run.secondsTo(0.97)), Row.seconds(row.run.secondsTo(0.98)),
                 String(format: "%.2f", row.run.stepsPerSecond), row.modelStepsPerSecond.map { String(format: "%.2f", $0) } ?? "-",
                 String(format: "%.0f", row.run.stepsPerSecond * Double(row.config.samplesPerUpdate)), String(row.run.job.staleDropped),
                 String(format: "%.4f", row.run.finalAccuracy ?? .nan), String(format: "%.2f", row.run.clusterCores), String(format: "%.1f", row.run.startupSeconds),
                 row.run.exited.isEmpty ? "-" : row.run.exited.joined(separator: "; ")]
            })
        var findings: [String: Any] = [:]
        var summary: [String] = []
        for n in counts {
            let order = ordered(n).map(\.config.name)
            let holds98 = paperHolds(n, target: 0.98), holds97 = paperHolds(n, target: 0.97)
            findings["\(n)"] = ["order_by_time_to_98": order, "paper_ordering_holds_98": holds98 as Any? ?? NSNull(),
                                "paper_ordering_holds_97": holds97 as Any? ?? NSNull()]
            summary.append("\(n) workers, fastest to 98 % first: \(order.joined(separator: " < ")); paper's ordering (sync with backups first) at 98 %: \(holds98.map { $0 ? "holds" : "does not hold" } ?? "undecided"), at 97 %: \(holds97.map { $0 ? "holds" : "does not hold" } ?? "undecided")")
        }
        for line in summary { print(line) }
        for skip in skipped { print("not run: \(skip["config"] ?? "") at \(skip["workers"] ?? "") workers: \(skip["reason"] ?? "")") }
        let json: [String: Any] = [
            "bench": "scale-workers", "model": "mlp 784-128-64-10, adam \(options.learningRate)", "total_batch": options.totalBatch,
            "delay": options.delay, "delay_seed": options.delaySeed, "seconds_cap": options.seconds, "stop_at": options.stopAt,
            "shards": options.shards, "eval_samples": options.evalSamples, "cores": ProcessInfo.processInfo.activeProcessorCount,
            "load_average_before": BenchOutput.round3(loadBefore), "load_average_after": BenchOutput.round3(loadAverage()),
            "runs": rows.map(\.json), "skipped": skipped, "findings": findings,
            "definitions": "secs_to_97/98: seconds from the job's first applied step to the first chief evaluation on the 10k test images at or above 97 %/98 % (startup — placement, every worker decoding MNIST — is startup_s, outside it); steps_per_s: applied updates (shard versions) per second between the first and last change seen polling GetJob every 0.25 s; model_steps_per_s: what the step delays alone allow (event simulation, no compute or network); applied_samples_per_s: steps_per_s × samples_per_update (sync: N × batch/worker; async: batch/worker); stale_dropped: gradients the shards dropped (sync: late backups' gradients); cluster_cores / psd_cores: CPU seconds of the cluster's processes / of the psd per wall second from the first applied step to the end",
        ]
        do { print("wrote \(try BenchOutput.writeJSON("scale-workers", json))") } catch { print("could not write bench-results/scale-workers.json: \(error)") }
        var result: [String: Any] = [:]
        if let n = counts.first {
            result["workers"] = n
            for row in rows where (row.config.aggregate ?? row.config.processes) == n {
                result["secs_to_97_\(row.config.name)"] = row.run.secondsTo(0.97).map(BenchOutput.round3) ?? NSNull()
                result["secs_to_98_\(row.config.name)"] = row.run.secondsTo(0.98).map(BenchOutput.round3) ?? NSNull()
            }
            result["fastest"] = ordered(n).first?.config.name ?? NSNull()
            result["paper_ordering_holds_97"] = paperHolds(n, target: 0.97) as Any? ?? NSNull()
            result["paper_ordering_holds_98"] = paperHolds(n, target: 0.98) as Any? ?? NSNull()
        }
        let body = (try? JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        print("RESULT {\"bench\":\"scale-workers\"" + (body == "{}" ? "}" : "," + body.dropFirst()))
    }

    /// The chart of bench-results/scale-workers.json: seconds to 97 % and 98 % per configuration (a bar that never
    /// reached the target shows as not measured).
    static func chart(_ json: [String: Any], note: String) -> SVGBarChart {
        var bars: [SVGBarChart.Bar] = []
        for run in (json["runs"] as? [[String: Any]]) ?? [] {
            let label = run["label"] as? String ?? "?"
            for target in ["97", "98"] {
                let value = (run["secs_to_\(target)"] as? NSNumber)?.doubleValue ?? .nan
                let best = (run["best_accuracy"] as? NSNumber).map { String(format: ", best %.2f %%", $0.doubleValue * 100) } ?? ""
                let shown = value.isFinite ? "\(label), to \(target) %" : "\(label), to \(target) % (not reached\(best))"
                bars.append(.init(label: shown, value: value, group: "seconds to \(target) %"))
            }
        }
        let delay = json["delay"] as? String ?? "?"
        let batch = (json["total_batch"] as? NSNumber)?.intValue ?? 0
        return SVGBarChart(title: "Many workers, step times --step-delay \(delay), total batch \(batch): time to test accuracy",
                           unit: "seconds from the first applied step (lower is better; no bar: not reached within the cap)", bars: bars, note: note)
    }
}
