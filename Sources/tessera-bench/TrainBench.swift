import ArgumentParser
import Foundation
import Training

/// `tessera-bench train`: samples/s of the MNIST MLP 784-128-64-10 (batch 64, plain SGD, one
/// OpenBLAS thread) trained in one process without the network (`LocalTrainer`), then through a
/// local cluster (1 psd + 1 workerd --threads 1, async), beside the PyTorch peer
/// `../shared/peer/torch_mlp_single.py --opt sgd --threads 1` when torch is importable. `--rounds` pairs of (one
/// process, cluster) run back to back; the cluster's share of one process (`cluster_ratio`) is the median of the pairs'.
struct TrainBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "MNIST MLP training throughput (single worker, no network) vs the PyTorch peer.")

    @Option(help: "Directory holding mnist/ (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz).")
    var dataRoot = "../shared/data"

    @Option(help: "Epochs over the 60k training images to time (a cluster run of 10 lasts ≈ 6 s: long enough for its 0.5 s progress reports).")
    var epochs = 10

    @Option(help: "Rows per batch.")
    var batchSize = 64

    @Option(help: "OpenBLAS threads.")
    var threads = 1

    @Option(help: "The PyTorch peer script (skipped when torch is not importable).")
    var peer = "../shared/peer/torch_mlp_single.py"

    @Flag(help: "Skip the run through a local cluster (psd + workerd).")
    var noCluster = false

    @Option(help: "Rounds of (one process, then the cluster) back to back; the figures reported are the rounds' medians.")
    var rounds = 3

    func run() async throws {
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 20") }
        let config = DataConfig(format: .idx, train: "mnist/train-images-idx3-ubyte.gz", trainLabels: "mnist/train-labels-idx1-ubyte.gz",
                                test: "mnist/t10k-images-idx3-ubyte.gz", testLabels: "mnist/t10k-labels-idx1-ubyte.gz",
                                testFraction: 0, batchSize: batchSize, seed: 1)
        let splits = try DataLoader.load(config, dataRoot: URL(fileURLWithPath: dataRoot))
        let model = try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 784, classes: 10, hidden: [128, 64]))
        let trainer = try LocalTrainer(model: model, backend: CPUBackend(threads: threads), learningRate: 0.05, seed: 1)
        _ = try trainer.train(on: splits.train, epochs: 1, batchSize: batchSize, seed: 0, maxSteps: 50) // warm-up
        let cluster = noCluster ? nil : try await startCluster()
        defer { cluster?.stop() }
        // Each round times one process, then the cluster, so a drift of the machine's speed touches both sides of its ratio.
        var local: [Double] = [], remote: [Double] = [], ratios: [Double] = []
        var accuracy: Float?
        for round in 1...rounds {
            let report = try trainer.train(on: splits.train, epochs: epochs, batchSize: batchSize, seed: UInt64(round))
            accuracy = try splits.test.map { try trainer.evaluate(on: $0).accuracy }
            local.append(report.samplesPerSecond)
            print(String(format: "round %d  one process: MLP 784-128-64-10, batch %d, %d thread(s), SGD: %.0f samples/s over %d steps (%.2f s)",
                         round, batchSize, threads, report.samplesPerSecond, report.steps, report.seconds))
            if let cluster {
                let samples = try await clusterSamplesPerSecond(cluster, round: round)
                remote.append(samples)
                ratios.append(samples / report.samplesPerSecond)
                print(String(format: "round %d  1 psd + 1 workerd (--threads %d, async, loopback): %.0f samples/s = %.0f %% of one process",
                             round, threads, samples, 100 * samples / report.samplesPerSecond))
            }
        }
        let tessera = BenchOutput.median(local)
        print(String(format: "tessera  one process: %.0f samples/s (median of %d), test accuracy %.4f", tessera, rounds, Double(accuracy ?? 0)))
        if !remote.isEmpty {
            print(String(format: "tessera  through 1 psd + 1 workerd: %.0f samples/s, %.0f %% of one process (median of the rounds' ratios: %@)",
                         BenchOutput.median(remote), 100 * BenchOutput.median(ratios),
                         ratios.map { String(format: "%.0f %%", 100 * $0) }.joined(separator: ", ")))
        }
        let torch = runPeer()
        if let torch {
            print(String(format: "pytorch  same model and batch, %d thread(s), SGD: %.0f samples/s", threads, torch))
        } else {
            print("pytorch  not measured: `python3 -c 'import torch'` fails on this machine (torch is not installed)")
        }
        var result: [String: Any] = ["bench": "train", "samples_per_s": Int(tessera.rounded()), "torch_samples_per_s": NSNull(), "ratio": NSNull()]
        if let torch {
            result["torch_samples_per_s"] = Int(torch.rounded())
            result["ratio"] = (tessera / torch * 100).rounded() / 100
        }
        if !remote.isEmpty {
            result["cluster_samples_per_s"] = Int(BenchOutput.median(remote).rounded())
            result["cluster_ratio"] = BenchOutput.round3(BenchOutput.median(ratios))
        }
        var saved = result
        saved["test_accuracy"] = Double(accuracy ?? 0)
        saved["load_average"] = BenchOutput.round3(loadAverage())
        saved["rounds"] = rounds
        saved["cluster_ratios"] = ratios.map(BenchOutput.round3)
        print("wrote \(try BenchOutput.writeJSON("train", saved))")
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print("RESULT " + String(decoding: data, as: UTF8.self))
    }

    /// 1 psd + 1 workerd (the release binaries beside tessera-bench); nil with a note when they are not built.
    private func startCluster() async throws -> BenchCluster? {
        let bin = BenchCluster.defaultBinDirectory()
        guard FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("workerd").path) else {
            print("tessera  cluster run skipped: psd/workerd are not built beside tessera-bench (scripts/bench builds them)")
            return nil
        }
        let cluster = try BenchCluster(bin: bin)
        do {
            try await cluster.start(dataRoot: URL(fileURLWithPath: dataRoot).standardizedFileURL.path,
                                    workers: [.init(arguments: ["--threads", "\(threads)"])])
        } catch {
            cluster.stop()
            throw error
        }
        return cluster
    }

    /// Samples/s of the same model and batch trained for `epochs` as one async job on `cluster`.
    private func clusterSamplesPerSecond(_ cluster: BenchCluster, round: Int) async throws -> Double {
        let yaml = MNISTJobSpec.yaml(
            name: "train-bench-cluster-\(round)", batch: batchSize, optimizer: "{type: sgd, learning_rate: 0.05}",
            training: ["mode: async", "epochs: \(epochs)", "seed: 1"], workers: 1)
        return try await JobRun.run(try cluster.api, yaml: yaml, limit: 300).samplesPerSecond
    }

    /// The peer's overall samples/s, or nil when python3 or torch is missing or the run fails.
    private func runPeer() -> Double? {
        guard FileManager.default.fileExists(atPath: peer), TorchPeer.run(["python3", "-c", "import torch"], environment: [:]) != nil else { return nil }
        guard let output = TorchPeer.run(["python3", peer, "--opt", "sgd", "--epochs", "\(epochs)", "--threads", "\(threads)",
                                "--batch", "\(batchSize)"], environment: ["MNIST_DIR": dataRoot + "/mnist"]),
              let line = output.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }),
              let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: Any]
        else { return nil }
        return (object["overall_samples_per_s"] as? NSNumber)?.doubleValue
    }
}
