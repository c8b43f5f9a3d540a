import TensorWire

/// A trainable model: declares its variables and computes loss, gradients and predictions on
/// parameter values it is given (the values live in shards, not in the model).
///
/// Models are `Sendable` so a worker can hand one between tasks; a model that keeps mutable
/// scratch (as the built-in `SequentialModel` does) guards it itself and serialises calls.
public protocol Model: Sendable {
    /// The variables the shards must hold, in a stable order.
    var variables: [VariableSpec] { get }
    /// What the model predicts.
    var task: TaskKind { get }
    /// Features per input row.
    var inputWidth: Int { get }

    /// Runs forward and backward on `batch` with `parameters` (one buffer per variable, in
    /// `variables` order); overwrites `gradients` (same layout) with d(mean loss)/d(parameter).
    func trainStep(parameters: ParameterSet, batch: Batch, gradients: inout ParameterSet, backend: any ComputeBackend) throws -> StepResult

    /// Writes predictions for `features` [n, inputWidth] into `predictions` [n, task.outputWidth]:
    /// class probabilities (multiclass), P(label = 1) (binary) or the predicted value (regression).
    func predict(parameters: ParameterSet, features: Tensor, into predictions: Tensor, backend: any ComputeBackend) throws
}
