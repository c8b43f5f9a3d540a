import ArgumentParser
import Foundation
import TensorWire
import Training

/// `tessera-bench cuda`: the CUDA backend against the CPU backend — every kernel and two model
/// steps compared (`BackendComparison`), MLP training steps/s on both at three sizes, and MNIST
/// trained for one epoch on the GPU when the data is there. On a machine without a GPU it says
/// why and ends with `"available":false`.
struct CUDACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cuda",
        abstract: "CUDA backend: parity with the CPU backend and training speed against it.")

    @Option(help: "GPU ordinal.")
    var device = 0

    @Option(help: "OpenBLAS threads of the CPU baseline (default: every core).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Seconds to time each model size on each backend.")
    var seconds = 2.0

    @Option(help: "Directory holding mnist/ (skipped when absent).")
    var dataRoot = "../shared/data"

    func run() throws {
        let gpu: CUDABackend
        do {
            gpu = try CUDABackend(device: device, threads: threads)
        } catch {
            print("cuda: not measured: \(error)")
            try BenchOutput.writeJSON("cuda", ["bench": "cuda", "available": false, "reason": "\(error)"])
            print(BenchOutput.result(["bench": "cuda", "available": false]))
            return
        }
        print("cuda: \(gpu.details)")
        let rows = try BackendComparison.run(gpu)
        BenchOutput.printTable(["kernel / step", "max difference", "tolerance", "ok"],
                               rows.map { [$0.name, String(format: "%.2e", $0.maxDifference), String(format: "%.0e", $0.tolerance), $0.passed ? "yes" : "NO"] })
        let failed = rows.filter { !$0.passed }

        var speed: [[String: Any]] = []
        let cpu = CPUBackend(threads: threads)
        for (hidden, batch) in [([128, 64], 64), ([1024, 1024], 256), ([4096, 4096], 1024)] {
            let cpuRate = try stepsPerSecond(hidden: hidden, batch: batch, backend: cpu)
            let gpuRate = try stepsPerSecond(hidden: hidden, batch: batch, backend: gpu)
            speed.append(["model": "784-\(hidden.map(String.init).joined(separator: "-"))-10", "batch": batch,
                          "cpu_steps_per_s": BenchOutput.round3(cpuRate), "cuda_steps_per_s": BenchOutput.round3(gpuRate),
                          "speedup": BenchOutput.round3(gpuRate / cpuRate)])
        }
        BenchOutput.printTable(["MLP", "batch", "cpu (\(threads) thr) steps/s", "cuda steps/s", "speedup"], speed.map {
            ["\($0["model"]!)", "\($0["batch"]!)", "\($0["cpu_steps_per_s"]!)", "\($0["cuda_steps_per_s"]!)", "\($0["speedup"]!)×"]
        })

        var mnist: [String: Any] = [:]
        if FileManager.default.fileExists(atPath: dataRoot + "/mnist/train-images-idx3-ubyte.gz") {
            mnist = try trainMNIST(gpu)
            print(String(format: "mnist mlp 784-128-64-10 on %@, 1 epoch, batch 64, SGD 0.05: test accuracy %.4f, %.0f samples/s",
                         gpu.name, mnist["test_accuracy"] as! Double, mnist["samples_per_s"] as! Double))
        } else {
            print("mnist: skipped (\(dataRoot)/mnist not found)")
        }
        let transferred = gpu.transferredBytes
        try BenchOutput.writeJSON("cuda", [
            "bench": "cuda", "available": true, "details": gpu.details, "threads": threads,
            "parity": rows.map { ["name": $0.name, "max_difference": Double($0.maxDifference), "tolerance": Double($0.tolerance)] },
            "speed": speed, "mnist": mnist, "uploaded_bytes": transferred.uploaded, "downloaded_bytes": transferred.downloaded,
        ])
        print(BenchOutput.result([
            "bench": "cuda", "available": true, "kernels_passed": rows.count - failed.count, "kernels_total": rows.count,
            "speedup_small": speed[0]["speedup"] as! Double, "speedup_large": speed[2]["speedup"] as! Double,
            "mnist_accuracy": mnist["test_accuracy"] as? Double,
        ]))
        if !failed.isEmpty { throw BenchFailure("CUDA differs from CPU: \(failed.map(\.name).joined(separator: ", "))") }
    }

    /// Training steps per second of an MLP on synthetic batches (SGD on the host between steps).
    private func stepsPerSecond(hidden: [Int], batch: Int, backend: any ComputeBackend) throws -> Double {
        let model = try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 784, classes: 10, hidden: hidden))
        let trainer = try LocalTrainer(model: model, backend: backend, learningRate: 0.01, seed: 1)
        let data = try Batch(features: BackendComparison.random([batch, 784], seed: 3, lo: 0, hi: 1),
                             labels: Tensor(shape: Shape([batch]), values: (0..<batch).map { Float($0 % 10) }))
        for _ in 0..<3 { try trainer.step(data) }
        var steps = 0
        let start = ContinuousClock.now
        while BenchOutput.seconds(ContinuousClock.now - start) < seconds {
            try trainer.step(data)
            steps += 1
        }
        return Double(steps) / BenchOutput.seconds(ContinuousClock.now - start)
    }

    /// One epoch of MNIST on the GPU: samples/s and test accuracy.
    private func trainMNIST(_ gpu: CUDABackend) throws -> [String: Any] {
        let config = DataConfig(format: .idx, train: "mnist/train-images-idx3-ubyte.gz", trainLabels: "mnist/train-labels-idx1-ubyte.gz",
                                test: "mnist/t10k-images-idx3-ubyte.gz", testLabels: "mnist/t10k-labels-idx1-ubyte.gz",
                                testFraction: 0, batchSize: 64, seed: 1)
        let splits = try DataLoader.load(config, dataRoot: URL(fileURLWithPath: dataRoot))
        let model = try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 784, classes: 10, hidden: [128, 64]))
        let trainer = try LocalTrainer(model: model, backend: gpu, learningRate: 0.05, seed: 1)
        let report = try trainer.train(on: splits.train, epochs: 1, batchSize: 64, seed: 1)
        let accuracy = try splits.test.map { try trainer.evaluate(on: $0).accuracy } ?? 0
        return ["test_accuracy": BenchOutput.round3(Double(accuracy)), "samples_per_s": report.samplesPerSecond.rounded(), "steps": report.steps]
    }
}
