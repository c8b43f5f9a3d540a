import TensorWire

/// The fused loss at the top of a model, chosen by the task: softmax cross-entropy
/// (multiclass), sigmoid cross-entropy (binary) or mean squared error (regression).
public final class LossLayer {
    /// The task that selects the loss.
    public let task: TaskKind
    private let gradient: ScratchBuffer

    /// Creates the loss for `task`.
    public init(task: TaskKind) {
        self.task = task
        self.gradient = ScratchBuffer(width: task.outputWidth)
    }

    /// Mean loss and hits of `outputs` [n, outputWidth] against `labels` [n], plus d(loss)/d(outputs).
    public func forwardBackward(_ outputs: Tensor, labels: Tensor, backend: any ComputeBackend) throws -> (LossValue, Tensor) {
        let g = gradient.view(rows: outputs.rows)
        let value = try evaluate(outputs, labels: labels, gradient: g, backend: backend)
        return (value, g)
    }

    /// Mean loss and hits without a gradient.
    public func forward(_ outputs: Tensor, labels: Tensor, backend: any ComputeBackend) throws -> LossValue {
        try evaluate(outputs, labels: labels, gradient: nil, backend: backend)
    }

    /// Turns raw outputs into predictions in place: softmax, sigmoid or identity.
    public func transformToPredictions(_ outputs: Tensor, into predictions: Tensor, backend: any ComputeBackend) throws {
        switch task {
        case .multiclass: try backend.softmax(outputs, into: predictions)
        case .binaryClassification: try backend.activate(.sigmoid, outputs, into: predictions)
        case .regression: try backend.activate(.linear, outputs, into: predictions)
        }
    }

    private func evaluate(_ outputs: Tensor, labels: Tensor, gradient: Tensor?, backend: any ComputeBackend) throws -> LossValue {
        try requireShape(outputs.columns == task.outputWidth, "loss: outputs \(outputs.shape) for \(task)")
        switch task {
        case .multiclass: return try backend.softmaxCrossEntropy(logits: outputs, labels: labels, gradient: gradient)
        case .binaryClassification: return try backend.sigmoidCrossEntropy(logits: outputs, labels: labels, gradient: gradient)
        case .regression: return try backend.meanSquaredError(predictions: outputs, targets: labels, gradient: gradient)
        }
    }
}
