import Foundation
import TensorWire
import Testing
@testable import Training

/// End-to-end training in-process; the real-data tests skip when the data root is absent.
@Suite(.serialized) struct LocalTrainerTests {
    @Test func linearRegressionRecoversSlopeAndIntercept() throws {
        let config = DataConfig(format: .synthetic, testFraction: 0.2, batchSize: 32, seed: 1, synthetic: SyntheticConfig())
        let splits = try DataLoader.load(config, dataRoot: URL(fileURLWithPath: "/nonexistent"))
        let model = try ModelFactory.make(ModelConfig(type: .linear, inputWidth: splits.inputWidth))
        let trainer = try LocalTrainer(model: model, backend: CPUBackend(threads: 1), learningRate: 0.1, seed: 1)
        _ = try trainer.train(on: splits.train, epochs: 30, batchSize: 32, seed: 1)
        let w = try #require(trainer.parameters["dense_0/kernel"]).toArray()[0]
        let b = try #require(trainer.parameters["dense_0/bias"]).toArray()[0]
        #expect(abs(w - 2) < 0.05, "w = \(w)")
        #expect(abs(b - 10) < 0.05, "b = \(b)")
        let eval = try trainer.evaluate(on: try #require(splits.test))
        #expect(eval.loss < 0.02) // noise variance is 0.01
    }

    @Test(.enabled(if: TestSupport.dataRoot != nil, "no data root: set TESSERA_DATA_ROOT or provide ../shared/data"))
    func logisticRegressionOnBreastCancer() throws {
        let root = try #require(TestSupport.dataRoot)
        let config = DataConfig(format: .csv, train: "breast_cancer/breast_cancer.csv", label: "target", testFraction: 0.3, seed: 7)
        let splits = try DataLoader.load(config, dataRoot: root)
        #expect(splits.train.count == 398 && splits.test?.count == 171 && splits.inputWidth == 30)
        let model = try ModelFactory.make(ModelConfig(type: .logistic, inputWidth: splits.inputWidth))
        let trainer = try LocalTrainer(model: model, backend: CPUBackend(threads: 1), learningRate: 0.1, seed: 7)
        _ = try trainer.train(on: splits.train, epochs: 40, batchSize: 32, seed: 7)
        let eval = try trainer.evaluate(on: try #require(splits.test))
        #expect(eval.accuracy >= 0.95, "held-out accuracy \(eval.accuracy)")
        #expect((eval.auc ?? 0) > 0.98, "AUC \(String(describing: eval.auc))")
    }

    @Test(.enabled(if: TestSupport.dataRoot != nil, "no data root: set TESSERA_DATA_ROOT or provide ../shared/data"))
    func mlpOnMNISTSubset() throws {
        let root = try #require(TestSupport.dataRoot)
        let config = DataConfig(format: .idx, train: "mnist/train-images-idx3-ubyte.gz", trainLabels: "mnist/train-labels-idx1-ubyte.gz",
                                test: "mnist/t10k-images-idx3-ubyte.gz", testLabels: "mnist/t10k-labels-idx1-ubyte.gz",
                                batchSize: 32, seed: 3, limit: 10_000)
        let splits = try DataLoader.load(config, dataRoot: root)
        #expect(splits.train.count == 10_000 && splits.test?.count == 10_000 && splits.inputWidth == 784)
        #expect(splits.train.labels.toArray().prefix(10) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        let model = try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 784, classes: 10, hidden: [128, 64]))
        let trainer = try LocalTrainer(model: model, backend: CPUBackend(threads: 1), learningRate: 0.1, seed: 3)
        let report = try trainer.train(on: splits.train, epochs: 1, batchSize: 16, seed: 3)
        let eval = try trainer.evaluate(on: try #require(splits.test))
        print("MNIST MLP 784-128-64-10, 10k rows, 1 epoch, batch 16, 1 thread: \(Int(report.samplesPerSecond)) samples/s (this build), test accuracy \(eval.accuracy)")
        #expect(eval.accuracy > 0.9, "test accuracy \(eval.accuracy)")
    }
}
