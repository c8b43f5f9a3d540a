import TensorWire

/// A layer with an explicit backward pass. Layers own their scratch buffers (so they are
/// classes, used by one thread at a time) but not their parameters: those come from a
/// `ParameterSet`, starting at `offset` in the order of `variables`.
public protocol Layer: AnyObject {
    /// The layer's variables (full names such as `dense_0/kernel`), in order.
    var variables: [VariableSpec] { get }
    /// Features per input row.
    var inputWidth: Int { get }
    /// Features per output row.
    var outputWidth: Int { get }

    /// Computes the output for `input` [n, inputWidth]; keeps what `backward` needs.
    /// The returned tensor is valid until the next `forward`.
    func forward(_ input: Tensor, parameters: ParameterSet, offset: Int, training: Bool, backend: any ComputeBackend) throws -> Tensor

    /// Given d(loss)/d(output) of the last `forward`, writes parameter gradients into
    /// `gradients` (overwriting) and returns d(loss)/d(input) when `needsInputGradient`.
    func backward(_ gradOutput: Tensor, parameters: ParameterSet, gradients: ParameterSet, offset: Int,
                  needsInputGradient: Bool, backend: any ComputeBackend) throws -> Tensor?

    /// Whether the layer does all its work through backend kernels (no host reads of tensors a
    /// kernel wrote), so a device backend can keep its tensors on the device for a whole step.
    var runsOnBackend: Bool { get }
}

extension Layer {
    /// Layers that read or write tensors on the host say no unless they say otherwise.
    public var runsOnBackend: Bool { false }
}
