import Foundation
import TensorWire
import Testing
import Training

/// A user-written model using only the public API: y = x · w (no bias), trained with MSE.
/// It keeps no scratch (allocates per step), so it is trivially Sendable.
final class ThroughOrigin: Model {
    let inputWidth: Int
    let variables: [VariableSpec]
    let task = TaskKind.regression

    init(inputWidth: Int) {
        self.inputWidth = inputWidth
        self.variables = [VariableSpec(name: "w", shape: Shape([inputWidth, 1]), initializer: .zeros)]
    }

    func trainStep(parameters: ParameterSet, batch: Batch, gradients: inout ParameterSet, backend: any ComputeBackend) throws -> StepResult {
        let y = Tensor(zeros: batch.count, 1)
        try backend.gemm(batch.features, transposeA: false, parameters.tensors[0], transposeB: false, into: y, alpha: 1, beta: 0)
        let dy = Tensor(zeros: batch.count, 1)
        let value = try backend.meanSquaredError(predictions: y, targets: batch.labels, gradient: dy)
        try backend.gemm(batch.features, transposeA: true, dy, transposeB: false, into: gradients.tensors[0], alpha: 1, beta: 0)
        return StepResult(loss: value.loss, correct: 0, count: batch.count)
    }

    func predict(parameters: ParameterSet, features: Tensor, into predictions: Tensor, backend: any ComputeBackend) throws {
        try backend.gemm(features, transposeA: false, parameters.tensors[0], transposeB: false, into: predictions, alpha: 1, beta: 0)
    }
}

@Suite struct CustomModelTests {
    @Test func userModelTrainsThroughTheLocalTrainer() throws {
        let data = try SyntheticData.generate(SyntheticConfig(weights: [3, -2], bias: 0, samples: 512, noise: 0), seed: 2)
        let trainer = try LocalTrainer(model: ThroughOrigin(inputWidth: 2), backend: CPUBackend(), learningRate: 0.2)
        _ = try trainer.train(on: data, epochs: 20, batchSize: 32)
        let w = try #require(trainer.parameters["w"]).toArray()
        #expect(abs(w[0] - 3) < 1e-3 && abs(w[1] + 2) < 1e-3)
        #expect(try trainer.evaluate(on: data).loss < 1e-5)
    }
}
