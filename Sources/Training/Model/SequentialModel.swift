import Synchronization
import TensorWire

/// A stack of layers topped by the task's fused loss; the built-in models are all of this shape.
///
/// The layers keep preallocated scratch, so calls are serialised by a mutex: one model instance
/// runs one step at a time (use one instance per concurrent worker loop).
public final class SequentialModel: Model {
    /// All layer variables, in layer order.
    public let variables: [VariableSpec]
    /// What the model predicts.
    public let task: TaskKind
    /// Features per input row.
    public let inputWidth: Int
    private let state: Mutex<State>

    private final class State {
        let layers: [any Layer]
        let offsets: [Int]
        let loss: LossLayer
        /// Every layer works through backend kernels alone (a device backend may keep the step on the device).
        let runsOnBackend: Bool
        init(layers: [any Layer], offsets: [Int], loss: LossLayer) {
            self.layers = layers
            self.offsets = offsets
            self.loss = loss
            self.runsOnBackend = layers.allSatisfy(\.runsOnBackend)
        }
    }

    /// Builds the model from `layers` (each layer's input width must match the previous output,
    /// the last output must be `task.outputWidth`); takes ownership of the layers.
    public init(layers: sending [any Layer], task: TaskKind) throws {
        guard let first = layers.first else {
            throw TrainingError(.invalidConfiguration, "a model needs at least one layer")
        }
        var offsets: [Int] = []
        var variables: [VariableSpec] = []
        var width = first.inputWidth
        for (i, layer) in layers.enumerated() {
            guard layer.inputWidth == width else {
                throw TrainingError(.invalidConfiguration, "layer \(i) expects \(layer.inputWidth) inputs but receives \(width)")
            }
            offsets.append(variables.count)
            variables += layer.variables
            width = layer.outputWidth
        }
        guard width == task.outputWidth else {
            throw TrainingError(.invalidConfiguration, "model outputs \(width) values but \(task) needs \(task.outputWidth)")
        }
        self.variables = variables
        self.task = task
        self.inputWidth = first.inputWidth
        self.state = Mutex(State(layers: layers, offsets: offsets, loss: LossLayer(task: task)))
    }

    /// Forward, fused loss, backward; gradients are overwritten.
    public func trainStep(parameters: ParameterSet, batch: Batch, gradients: inout ParameterSet, backend: any ComputeBackend) throws -> StepResult {
        try checkParameters(parameters, "parameters")
        try checkParameters(gradients, "gradients")
        let grads = gradients
        return try state.withLock { state throws -> StepResult in
            try onBackend(state, backend, reading: parameters.tensors + [batch.features, batch.labels], writing: grads.tensors) { backend in
                var x = batch.features
                for (layer, offset) in zip(state.layers, state.offsets) {
                    x = try layer.forward(x, parameters: parameters, offset: offset, training: true, backend: backend)
                }
                let (value, g) = try state.loss.forwardBackward(x, labels: batch.labels, backend: backend)
                var dy = g
                for i in state.layers.indices.reversed() {
                    let next = try state.layers[i].backward(dy, parameters: parameters, gradients: grads, offset: state.offsets[i],
                                                            needsInputGradient: i > 0, backend: backend)
                    if let next { dy = next }
                }
                return StepResult(loss: value.loss, correct: value.correct, count: batch.count)
            }
        }
    }

    /// Runs `body` through `backend.runStep` when every layer works through kernels alone (a GPU
    /// backend then keeps the step on the device), else directly with `backend`.
    private func onBackend<R: Sendable>(_ state: State, _ backend: any ComputeBackend, reading inputs: [Tensor], writing outputs: [Tensor],
                                        _ body: (any ComputeBackend) throws -> R) throws -> R {
        guard state.runsOnBackend else { return try body(backend) }
        return try backend.runStep(reading: inputs, writing: outputs, body)
    }

    /// Forward in inference mode, then softmax / sigmoid / identity into `predictions`.
    public func predict(parameters: ParameterSet, features: Tensor, into predictions: Tensor, backend: any ComputeBackend) throws {
        try checkParameters(parameters, "parameters")
        try requireShape(predictions.count == features.rows * task.outputWidth,
                         "predict: \(features.rows) rows into predictions \(predictions.shape)")
        try state.withLock { state throws in
            try onBackend(state, backend, reading: parameters.tensors + [features], writing: [predictions]) { backend in
                var x = features
                for (layer, offset) in zip(state.layers, state.offsets) {
                    x = try layer.forward(x, parameters: parameters, offset: offset, training: false, backend: backend)
                }
                try state.loss.transformToPredictions(x, into: predictions, backend: backend)
            }
        }
    }

    private func checkParameters(_ set: ParameterSet, _ what: String) throws {
        guard set.count == variables.count else {
            throw TrainingError(.shapeMismatch, "\(what): \(set.count) buffers for \(variables.count) variables")
        }
        for (spec, tensor) in zip(variables, set.tensors) where tensor.shape != spec.shape {
            throw TrainingError(.shapeMismatch, "\(what): \(spec.name) has shape \(tensor.shape), expected \(spec.shape)")
        }
    }
}
