import Synchronization
import TensorWire
import Training

/// A two-tower binary classifier built from Training layers: the first `split` features feed a ReLU tower, the
/// rest a tanh tower; each tower ends in one logit and the model's logit is their sum (sigmoid cross-entropy).
///
/// Variables: `dense_0`, `dense_1` (left tower), `dense_2`, `dense_3` (right tower), each `/kernel` and `/bias`.
final class TwoTowerModel: Model {
    let variables: [VariableSpec]
    let task = TaskKind.binaryClassification
    let inputWidth: Int
    private let split: Int
    private let state: Mutex<Towers>

    /// Layers and scratch, used by one step at a time.
    private final class Towers {
        let left: [any Layer]
        let right: [any Layer]
        let loss = LossLayer(task: .binaryClassification)
        init(left: [any Layer], right: [any Layer]) {
            self.left = left
            self.right = right
        }
    }

    /// A model over rows of `inputWidth` features, split after `split` of them, with towers `hidden` units wide.
    init(inputWidth: Int, split: Int, hidden: Int) throws {
        guard inputWidth >= 2, (1..<inputWidth).contains(split), hidden > 0 else {
            throw TrainingError(.invalidConfiguration, "two_tower needs ≥ 2 features split into two non-empty parts and hidden > 0 (got \(inputWidth) features, split \(split), hidden \(hidden))")
        }
        let left: [any Layer] = [
            Dense(index: 0, inputWidth: split, outputWidth: hidden), ActivationLayer(.relu, width: hidden),
            Dense(index: 1, inputWidth: hidden, outputWidth: 1),
        ]
        let right: [any Layer] = [
            Dense(index: 2, inputWidth: inputWidth - split, outputWidth: hidden), ActivationLayer(.tanh, width: hidden),
            Dense(index: 3, inputWidth: hidden, outputWidth: 1),
        ]
        self.inputWidth = inputWidth
        self.split = split
        self.variables = (left + right).flatMap(\.variables)
        self.state = Mutex(Towers(left: left, right: right))
    }

    func trainStep(parameters: ParameterSet, batch: Batch, gradients: inout ParameterSet, backend: any ComputeBackend) throws -> StepResult {
        let grads = gradients
        return try state.withLock { towers throws -> StepResult in
            let logits = try forward(towers, batch.features, parameters: parameters, training: true, backend: backend)
            let (value, dLogits) = try towers.loss.forwardBackward(logits, labels: batch.labels, backend: backend)
            // d(a + b)/da = d(a + b)/db = 1: both towers get the logits' gradient.
            try backward(towers.left, dLogits, offset: 0, parameters: parameters, gradients: grads, backend: backend)
            try backward(towers.right, dLogits, offset: towers.left.flatMap(\.variables).count, parameters: parameters,
                         gradients: grads, backend: backend)
            return StepResult(loss: value.loss, correct: value.correct, count: batch.count)
        }
    }

    func predict(parameters: ParameterSet, features: Tensor, into predictions: Tensor, backend: any ComputeBackend) throws {
        try state.withLock { towers throws in
            let logits = try forward(towers, features, parameters: parameters, training: false, backend: backend)
            try towers.loss.transformToPredictions(logits, into: predictions, backend: backend)
        }
    }

    /// Left logit + right logit, [n, 1].
    private func forward(_ towers: Towers, _ features: Tensor, parameters: ParameterSet, training: Bool,
                         backend: any ComputeBackend) throws -> Tensor {
        let (x, y) = try columns(features)
        let a = try run(towers.left, x, offset: 0, parameters: parameters, training: training, backend: backend)
        let b = try run(towers.right, y, offset: towers.left.flatMap(\.variables).count, parameters: parameters,
                        training: training, backend: backend)
        let logits = Tensor(zeros: features.rows, 1)
        try logits.copy(from: a)
        try backend.axpy(alpha: 1, b, logits)
        return logits
    }

    private func run(_ layers: [any Layer], _ input: Tensor, offset: Int, parameters: ParameterSet, training: Bool,
                     backend: any ComputeBackend) throws -> Tensor {
        var x = input
        var offset = offset
        for layer in layers {
            x = try layer.forward(x, parameters: parameters, offset: offset, training: training, backend: backend)
            offset += layer.variables.count
        }
        return x
    }

    private func backward(_ layers: [any Layer], _ gradOutput: Tensor, offset: Int, parameters: ParameterSet,
                          gradients: ParameterSet, backend: any ComputeBackend) throws {
        var offsets: [Int] = []
        var next = offset
        for layer in layers {
            offsets.append(next)
            next += layer.variables.count
        }
        var dy = gradOutput
        for i in layers.indices.reversed() {
            let dx = try layers[i].backward(dy, parameters: parameters, gradients: gradients, offset: offsets[i],
                                            needsInputGradient: i > 0, backend: backend)
            if let dx { dy = dx }
        }
    }

    /// The feature columns [0, split) and [split, inputWidth) as two row-major tensors.
    private func columns(_ features: Tensor) throws -> (Tensor, Tensor) {
        let n = features.rows, width = inputWidth, split = split
        let left = Tensor(zeros: n, split), right = Tensor(zeros: n, width - split)
        features.withUnsafeBufferPointer { source in
            left.withUnsafeMutableBufferPointer { l in
                right.withUnsafeMutableBufferPointer { r in
                    for row in 0..<n {
                        let base = row * width
                        for c in 0..<split { l[row * split + c] = source[base + c] }
                        for c in split..<width { r[row * (width - split) + c - split] = source[base + c] }
                    }
                }
            }
        }
        return (left, right)
    }
}
