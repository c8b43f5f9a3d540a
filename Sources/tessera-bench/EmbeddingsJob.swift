import Foundation

/// The click-log job of `tessera-bench embeddings` and the data it reads: the model of the TF peer
/// (`scripts/peer/tf_ps_embeddings.py`) written as a Tessera job spec.
enum EmbeddingsJob {
    /// Wide & deep on `c1…c26` (16-wide embeddings, `buckets` hash buckets each; wide: one weight per (field, id)) and
    /// `n1…n13` → 64 → 32 → 1, sigmoid cross-entropy, Adagrad lr 0.05 (accumulator 0.1), batch 256 on one worker,
    /// async, over 2 shards; `train`/`test` relative to the data root.
    static func yaml(name: String, buckets: Int, train: String, test: String, maxSteps: Int) -> String {
        let categorical = (1...26).map { "c\($0)" }.joined(separator: ", ")
        let numeric = (1...13).map { "n\($0)" }.joined(separator: ", ")
        return """
            apiVersion: tessera.dev/v1
            kind: TrainingJob
            name: \(name)
            model:
              type: wide_deep
              hidden: [64, 32]
              wide_deep:
                embedding_dim: 16
                vocabulary_hint: \(buckets)
                categorical: [\(categorical)]
                numeric: [\(numeric)]
                wide: [\(categorical)]
            data: {format: csv, train: \(train), test: \(test), label: label, normalize: none, batch_size: 256, shuffle: true}
            optimizer: {type: adagrad, learning_rate: 0.05, initial_accumulator: 0.1}
            training: {mode: async, max_steps: \(maxSteps), seed: 1}
            cluster: {workers: 1, ps_shards: 2, transport: native}
            """
    }

    /// Makes the click log with `scripts/gen-clicklog` unless `dir/test.csv` exists: `rows` training rows in one file
    /// (`dir/train/part-00000.csv`, the worker reads one file), `testRows` held out, ids in 0..<buckets.
    static func ensureData(dir: URL, rows: Int, testRows: Int, buckets: Int, packageRoot: URL) throws {
        let test = dir.appendingPathComponent("test.csv").path
        let train = dir.appendingPathComponent("train/part-00000.csv").path
        if FileManager.default.fileExists(atPath: test), FileManager.default.fileExists(atPath: train) { return }
        let generator = packageRoot.appendingPathComponent("scripts/gen-clicklog")
        guard FileManager.default.isExecutableFile(atPath: generator.path) else {
            throw BenchFailure("no click log in \(dir.path) and no scripts/gen-clicklog to make one")
        }
        let process = Process()
        process.executableURL = generator
        process.arguments = ["--out", dir.path, "--rows", "\(rows)", "--rows-per-file", "\(rows)", "--buckets", "\(buckets)",
                             "--test-rows", "\(testRows)", "--seed", "1"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: test), FileManager.default.fileExists(atPath: train) else {
            throw BenchFailure("scripts/gen-clicklog failed (status \(process.terminationStatus)) or wrote no \(train) and \(test)")
        }
    }

    /// MemAvailable from /proc/meminfo in bytes (0 when unreadable).
    static func memoryAvailable() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
            let kib = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return 0 }
        return kib * 1024
    }
}
