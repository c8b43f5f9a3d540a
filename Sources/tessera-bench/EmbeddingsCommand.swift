import ArgumentParser
import ClusterAPI
import ClusterRuntime
import Foundation

/// `tessera-bench embeddings`: a wide & deep click-log model whose 26 embedding tables hold `buckets` rows × 16 each
/// (52 M rows at the default 2,000,000) on 2 psd shards with one workerd: bytes per row held, sparse rows/s pulled and
/// pushed against the memcpy bandwidth of the same machine, samples/s and test AUC of the training job, checkpoint,
/// restore and export times, and the TF parameter-server peer's samples/s when its script and venv exist.
struct EmbeddingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embeddings",
        abstract: "Recommendation-size embeddings on 2 shards: bytes/row, sparse rows/s vs memcpy, samples/s, AUC, checkpoint/restore/export.")

    @Option(help: "Directory holding the release psd, workerd and clusterctl (default: beside tessera-bench).")
    var binDir: String?

    @Option(help: "Hash buckets per categorical field = rows of each of the 26 embedding tables (20000 for a smoke run).")
    var buckets = 2_000_000

    @Option(help: "Training rows of the click log (one file).")
    var rows = 1_000_000

    @Option(help: "Held-out rows.")
    var testRows = 100_000

    @Option(help: "Steps of the training job (batch 256, one worker).")
    var steps = 2000

    @Option(help: "Click-log directory (made by scripts/gen-clicklog when it lacks test.csv); default .data/clicklog-B<buckets>-R<rows>.")
    var data: String?

    @Option(help: "Keys per sparse pull or push in the rows/s loop.")
    var batchKeys = 65_536

    @Option(help: "Seconds of pulling, then of pushing, in the rows/s loop.")
    var loopSeconds = 10.0

    @Option(help: "Most memory (GiB) the run may use: populating, checkpoint, restore and export are skipped (and said so) when they would not fit.")
    var budgetGib = 10.0

    @Flag(help: "Do not pull every row (measure bytes/row on the rows training created).")
    var noPopulate = false

    @Flag(help: "Do not run the TensorFlow parameter-server peer (e.g. when only checkpoint/restore/export are measured).")
    var noPeer = false

    func validate() throws {
        guard (100...(1 << 26)).contains(buckets) else { throw ValidationError("--buckets must be in 100…67108864") }
        guard rows >= 1000, testRows >= 100, steps > 0, batchKeys > 0, loopSeconds > 0, budgetGib > 0 else {
            throw ValidationError("--rows ≥ 1000, --test-rows ≥ 100 and --steps, --batch-keys, --loop-seconds, --budget-gib > 0")
        }
    }

    func run() async throws {
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let bin = binDir.map { URL(fileURLWithPath: $0) } ?? BenchCluster.defaultBinDirectory()
        let dataDir = URL(fileURLWithPath: data ?? ".data/clicklog-B\(buckets)-R\(rows)").standardizedFileURL
        var out: [String: Any] = ["bench": "embeddings", "buckets": buckets, "tables": 26, "embedding_dim": 16, "train_rows": rows, "steps": steps]
        var notes: [String] = []

        // Memory bandwidth of this machine, in the same run: memcpy of 1 GiB (bytes copied one way per second).
        let memcpy = Memcpy.measure(bytes: 1 << 30, iterations: 4)
        out["memcpy_gbps"] = BenchOutput.round3(memcpy)
        say(String(format: "memcpy 1 GiB: %.2f GB/s", memcpy))

        try EmbeddingsJob.ensureData(dir: dataDir, rows: rows, testRows: testRows, buckets: buckets, packageRoot: root)
        let dataRoot = dataDir.deletingLastPathComponent().path
        let name = dataDir.lastPathComponent
        let cluster = try EmbeddingsCluster(bin: bin)
        defer { cluster.stop() }
        try await cluster.start(dataRoot: dataRoot)
        let api = try cluster.api
        let idle = cluster.memory()

        // (3) The training job: samples/s over its run, the final held-out AUC and accuracy.
        let train = try await JobRun.run(api, yaml: EmbeddingsJob.yaml(name: "clicklog-train", buckets: buckets, train: "\(name)/train/part-00000.csv",
                                                                      test: "\(name)/test.csv", maxSteps: steps), limit: 3600, interval: .milliseconds(500))
        out["samples_per_second"] = BenchOutput.round3(train.samplesPerSecond)
        out["test_auc"] = train.job.evalMetrics.auc
        out["test_accuracy"] = train.job.evalMetrics.accuracy
        out["train_wall_seconds"] = BenchOutput.round3(train.job.finishedAt - train.job.startedAt)
        let afterTrain = cluster.memory()
        say(String(format: "training: %d steps, %.0f samples/s, test AUC %.4f, accuracy %.4f", steps, train.samplesPerSecond,
                     train.job.evalMetrics.auc, train.job.evalMetrics.accuracy))

        // A second job holds the tables while the worker is paused: the shards then serve only this benchmark.
        let held = try await api.submit(yaml: EmbeddingsJob.yaml(name: "clicklog-hold", buckets: buckets, train: "\(name)/train/part-00000.csv",
                                                                test: "\(name)/test.csv", maxSteps: 1_000_000_000))
        var job = try await api.job(held.id)
        let deadline = ContinuousClock.now + .seconds(300)
        while job.step < 10, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            job = try await api.job(held.id)
        }
        guard job.step >= 10 else { throw BenchFailure("job \(held.id) did not start training within 300 s: \(job.reason)") }
        cluster.signal("workerd-0", SIGSTOP)
        let sparse = try EmbeddingsRows(job: job)
        defer { sparse.client.close() }
        let deep = sparse.tables.filter { $0.width > 1 }
        let touched = cluster.memory()

        // (1) Bytes per row: every row of the 16-wide tables created by pulls (the wide kernel keeps the rows training
        // touched: its 52 M one-float rows would not fit beside them in the budget).
        let deepRows = deep.reduce(0) { $0 + $1.rows }
        let estimate = Double(deepRows) * 180  // values + Adagrad slot (128 B) and the index (≈ 50 B) per row
        let budget = budgetGib * Double(1 << 30)
        let psdBefore = (touched["psd-0"]?.rss ?? 0) + (touched["psd-1"]?.rss ?? 0)
        var populated = 0
        if noPopulate {
            notes.append("rows not populated (--no-populate)")
        } else if estimate + psdBefore * 1_048_576 > min(budget, EmbeddingsJob.memoryAvailable() * 0.9) {
            notes.append(String(format: "populating %d rows (~%.1f GiB) skipped: above the budget or MemAvailable", deepRows, estimate / Double(1 << 30)))
        } else {
            let (n, seconds) = try await sparse.populate(deep, batch: batchKeys)
            populated = n
            out["populate_seconds"] = BenchOutput.round3(seconds)
            say(String(format: "populated %d rows of %d tables in %.1f s (%.0f rows/s)", n, deep.count, seconds, Double(n) / seconds))
        }
        let full = cluster.memory()
        let psdAfter = (full["psd-0"]?.rss ?? 0) + (full["psd-1"]?.rss ?? 0)
        out["rows_populated"] = populated
        out["psd_rss_mib"] = [full["psd-0"]?.rss ?? 0, full["psd-1"]?.rss ?? 0]
        if populated > 0 {
            out["bytes_per_row_rss_total"] = BenchOutput.round3(psdAfter * 1_048_576 / Double(populated))
            out["bytes_per_row_rss_delta"] = BenchOutput.round3((psdAfter - psdBefore) * 1_048_576 / Double(populated))
        }

        // (2) Sparse rows/s pulled and pushed (random keys of the 16-wide tables, both shards at once).
        let rates = try await sparse.pullPushRates(deep, batch: batchKeys, seconds: loopSeconds, seed: 7)
        let rowBytes = Double(rates.bytesPerRow)
        out["pull_rows_per_second"] = BenchOutput.round3(rates.pull)
        out["push_rows_per_second"] = BenchOutput.round3(rates.push)
        out["pull_rows_per_second_per_shard"] = BenchOutput.round3(rates.pull / 2)
        out["push_rows_per_second_per_shard"] = BenchOutput.round3(rates.push / 2)
        out["pull_share_of_memcpy"] = BenchOutput.round3(rates.pull * rowBytes / (memcpy * 1e9))
        out["push_share_of_memcpy"] = BenchOutput.round3(rates.push * rowBytes / (memcpy * 1e9))
        out["samples_share_of_memcpy"] = BenchOutput.round3(train.samplesPerSecond * 26 * 2 * rowBytes / (memcpy * 1e9))

        // (4) Checkpoint (both shards write their rows), restore (ps-1 killed and restarted on its data dir: the job
        // recovers every shard from the checkpoint) and export (clusterctl reads every table into one file).
        // A checkpoint streams each shard's rows to its file through one 8 MiB chunk while the job's pushes wait, and a
        // restore maps the file and loads one partition at a time: neither copies a shard, so they need room for the
        // shards as they are (+ 1 GiB). An export streams too, and its reads create no row on the shards (rows never
        // touched are read as their initializer's values), so it needs no more room than that.
        let shardState = psdAfter * 1_048_576
        let room = min(budget, EmbeddingsJob.memoryAvailable() + shardState)
        if shardState + Double(1 << 30) > room {
            notes.append(String(format: "checkpoint/restore/export skipped: the shards' %.1f GiB of rows leave less than 1 GiB of the budget", shardState / Double(1 << 30)))
        } else {
            var manifest = ""
            // VmHWM of the psds restarts here, so their peak below is the checkpoint's own.
            let peaksReset = Self.resetPeakRSS(commandLineContaining: cluster.dir.path)
            let checkpoint = try await BenchOutput.time {
                let answer = try cluster.clusterctl(["checkpoint", held.id, "-o", "json"])
                guard answer.status == 0 else { throw BenchFailure("clusterctl checkpoint: \(answer.output)") }
                manifest = answer.output
            }
            out["checkpoint_seconds"] = BenchOutput.round3(checkpoint)
            let files = (try? FileManager.default.subpathsOfDirectory(atPath: cluster.dir.path)) ?? []
            let bytes = files.filter { $0.contains("checkpoints/") && !$0.hasSuffix(".json") }.reduce(0) { total, path in
                total + ((try? FileManager.default.attributesOfItem(atPath: cluster.dir.appendingPathComponent(path).path)[.size] as? Int) ?? 0)
            }
            out["checkpoint_bytes"] = bytes
            // Peak RSS since the reset (VmHWM; since the start when the reset failed), beside the RSS before.
            let afterCheckpoint = cluster.memory()
            out["checkpoint_psd_peak_rss_mib"] = [afterCheckpoint["psd-0"]?.peak ?? 0, afterCheckpoint["psd-1"]?.peak ?? 0]
            out["checkpoint_psd_rss_before_mib"] = [full["psd-0"]?.rss ?? 0, full["psd-1"]?.rss ?? 0]
            out["checkpoint_peak_reset"] = peaksReset
            say(String(format: "checkpoint: %.1f s, %.1f MiB on disk; psd peak RSS %.0f / %.0f MiB (RSS before %.0f / %.0f)", checkpoint, Double(bytes) / 1_048_576,
                       afterCheckpoint["psd-0"]?.peak ?? 0, afterCheckpoint["psd-1"]?.peak ?? 0, full["psd-0"]?.rss ?? 0, full["psd-1"]?.rss ?? 0))
            _ = manifest

            // The worker resumes first: its failed pulls from the killed ps-1 report the lost shard, which puts the
            // job into recovery (the coordinator's hour-long heartbeat timeout would not notice it).
            cluster.signal("workerd-0", SIGCONT)
            let restore = try await BenchOutput.time {
                try cluster.restart("psd-1")
                try await cluster.waitForNodes(3)
                // Restored when the job runs again and ps-1 (which lost everything) answers a pull of the job's rows.
                let limit = ContinuousClock.now + .seconds(900)
                while true {
                    guard ContinuousClock.now < limit else { throw BenchFailure("job \(held.id) did not recover within 900 s") }
                    let now = try await api.job(held.id)
                    if now.state == .running, (try? await Self.probe(now)) == true { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            out["restore_seconds"] = BenchOutput.round3(restore)
            out["restore_psd1_peak_rss_mib"] = cluster.memory()["psd-1"]?.peak ?? 0
            say(String(format: "restore (ps-1 killed and restarted on its ports and data dir; the job recovers from the checkpoint): %.1f s", restore))

            let exportFile = cluster.dir.appendingPathComponent("clicklog.safetensors")
            let beforeExport = cluster.memory()
            let export = try await BenchOutput.time {
                let answer = try cluster.clusterctl(["export", held.id, "--out", exportFile.path])
                guard answer.status == 0 else { throw BenchFailure("clusterctl export: \(answer.output)") }
            }
            let exportBytes = (try? FileManager.default.attributesOfItem(atPath: exportFile.path)[.size] as? Int) ?? 0
            let afterExport = cluster.memory()
            out["export_seconds"] = BenchOutput.round3(export)
            out["export_bytes"] = exportBytes
            // The export's reads create no row: the shards' RSS stays where it was.
            out["export_psd_rss_before_mib"] = [beforeExport["psd-0"]?.rss ?? 0, beforeExport["psd-1"]?.rss ?? 0]
            out["export_psd_rss_after_mib"] = [afterExport["psd-0"]?.rss ?? 0, afterExport["psd-1"]?.rss ?? 0]
            try? FileManager.default.removeItem(at: exportFile)
            say(String(format: "export: %.1f s, %.1f MiB (%.1f MB/s); psd RSS %.0f / %.0f MiB before, %.0f / %.0f after", export, Double(exportBytes) / 1_048_576,
                       Double(exportBytes) / 1e6 / max(export, 1e-9), beforeExport["psd-0"]?.rss ?? 0, beforeExport["psd-1"]?.rss ?? 0,
                       afterExport["psd-0"]?.rss ?? 0, afterExport["psd-1"]?.rss ?? 0))
        }
        let last = cluster.memory()
        var peaks: [String: Double] = [:]
        for (process, m) in last { peaks[process] = m.peak }
        out["peak_rss_mib"] = peaks
        out["idle_rss_mib"] = idle.mapValues(\.rss)
        out["after_train_rss_mib"] = afterTrain.mapValues(\.rss)
        _ = try? await api.cancel(held.id)
        cluster.signal("workerd-0", SIGCONT)
        cluster.stop()

        // (5) The TF parameter-server peer on the same data, after the cluster stopped (never beside it).
        let peer = root.appendingPathComponent("scripts/peer/tf_ps_embeddings.py")
        let python = root.appendingPathComponent(".venv-tf/bin/python")
        if noPeer {
            notes.append("TF peer not run (--no-peer)")
        } else if FileManager.default.fileExists(atPath: peer.path), FileManager.default.isExecutableFile(atPath: python.path) {
            let result = try runPeer(python: python, script: peer, data: dataDir)
            out["tf_samples_per_second"] = result?["samples_per_s"] ?? NSNull()
            out["tf_test_auc"] = result?["test_auc"] ?? NSNull()
            out["tf_test_accuracy"] = result?["test_accuracy"] ?? NSNull()
            out["tf_peak_rss_mib"] = result?["peak_rss_mib"] ?? NSNull()
            if result == nil { notes.append("the TF peer printed no RESULT line") }
        } else {
            out["tf_samples_per_second"] = NSNull()
            notes.append("TF peer not run: scripts/peer/tf_ps_embeddings.py or .venv-tf missing")
        }
        out["notes"] = notes

        let tf = (out["tf_samples_per_second"] as? Double).map { String(format: "%.0f", $0) } ?? "null (not run)"
        BenchOutput.printTable(["figure", "value"], [
            ["rows populated (16-wide)", "\(populated)"],
            ["psd RSS MiB (ps-0, ps-1)", String(format: "%.0f, %.0f", full["psd-0"]?.rss ?? 0, full["psd-1"]?.rss ?? 0)],
            ["bytes/row (psd RSS total / rows)", "\(out["bytes_per_row_rss_total"] ?? "n/a")"],
            ["pull rows/s (2 shards; per shard)", String(format: "%.0f; %.0f", rates.pull, rates.pull / 2)],
            ["push rows/s (2 shards; per shard)", String(format: "%.0f; %.0f", rates.push, rates.push / 2)],
            ["pull / push share of memcpy", String(format: "%.3f / %.3f", rates.pull * rowBytes / (memcpy * 1e9), rates.push * rowBytes / (memcpy * 1e9))],
            ["samples/s (Tessera, 1 worker)", String(format: "%.0f", train.samplesPerSecond)],
            ["samples/s (TF PS peer)", tf],
            ["TF peer test AUC", "\(out["tf_test_auc"] ?? "null")"],
            ["test AUC / accuracy", String(format: "%.4f / %.4f", train.job.evalMetrics.auc, train.job.evalMetrics.accuracy)],
            ["checkpoint / restore / export s", "\(out["checkpoint_seconds"] ?? "skipped") / \(out["restore_seconds"] ?? "skipped") / \(out["export_seconds"] ?? "skipped")"],
        ])
        for note in notes { print("note: \(note)") }
        try BenchOutput.writeJSON("embeddings", out)
        let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
        print("RESULT " + String(decoding: data, as: UTF8.self))
    }

    /// Prints a progress line at once (stdout may be a file).
    private func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// Resets the peak RSS (VmHWM, via /proc/PID/clear_refs "5") of every process whose command line names `text`;
    /// returns how many were reset.
    static func resetPeakRSS(commandLineContaining text: String) -> Int {
        guard let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        var reset = 0
        for pid in pids where pid.allSatisfy(\.isNumber) {
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                String(decoding: raw, as: UTF8.self).contains(text),
                let handle = FileHandle(forWritingAtPath: "/proc/\(pid)/clear_refs")
            else { continue }
            if (try? handle.write(contentsOf: Data("5".utf8))) != nil { reset += 1 }
            try? handle.close()
        }
        return reset
    }

    /// Whether every shard of `job` answers a pull of one row of each 16-wide table (a restarted shard without the
    /// job refuses it).
    static func probe(_ job: Tessera_V1_Job) async throws -> Bool {
        let rows = try EmbeddingsRows(job: job)
        defer { rows.client.close() }
        let probe = UnsafeMutableBufferPointer<Float>.allocate(capacity: 16 * 2)
        defer { probe.deallocate() }
        guard let t = rows.tables.first(where: { $0.width == 16 }) else { return true }
        // Keys 0 and 1 land on different shards for most hashes; pull both with everyShard so each shard answers.
        try await rows.client.pullRows([SparseRowBuffer(variableID: t.variableID, keys: [0, 1], rows: probe)], everyShard: true)
        return true
    }

    /// Runs the TF peer on the same click log; its `RESULT {…}` object (nil when it printed none).
    private func runPeer(python: URL, script: URL, data: URL) throws -> [String: Any]? {
        let process = Process()
        process.executableURL = python
        process.arguments = [script.path, "--data", data.path, "--steps", "\(steps)", "--batch-size", "256"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }) else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: Any]
    }
}
