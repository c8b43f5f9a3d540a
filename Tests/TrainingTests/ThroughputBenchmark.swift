import Foundation
import TensorWire
import Testing
import Training

/// Opt-in: `TESSERA_BENCH=1 swift test --filter ThroughputBenchmark` prints MLP training samples/s
/// (784-128-64-10, batch 64, 1 OpenBLAS thread, SGD, data already in memory). Meaningful only in release builds.
@Suite struct ThroughputBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TESSERA_BENCH"] != nil, "set TESSERA_BENCH=1 to run"))
    func mlpSamplesPerSecond() throws {
        let n = 8192
        let features = Tensor(zeros: n, 784)
        let labels = Tensor(zeros: n)
        var rng = SeededGenerator(seed: 1)
        features.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = rng.nextUnitFloat() } }
        labels.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = Float(i % 10) } }
        let data = try Dataset(features: features, labels: labels, featureNames: (0..<784).map { "p\($0)" })
        let model = try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 784, classes: 10, hidden: [128, 64]))
        let trainer = try LocalTrainer(model: model, backend: CPUBackend(threads: 1), learningRate: 0.01)
        _ = try trainer.train(on: data, epochs: 1, batchSize: 64, maxSteps: 20) // warm-up
        let report = try trainer.train(on: data, epochs: 3, batchSize: 64)
        print("RESULT {\"mlp_samples_per_s\": \(Int(report.samplesPerSecond)), \"batch\": 64, \"threads\": 1}")
    }
}
