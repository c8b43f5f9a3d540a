import TensorWire

/// A pointwise nonlinearity layer (no variables).
public final class ActivationLayer: Layer {
    /// The nonlinearity.
    public let activation: ActivationFunction
    /// Features per row (input and output).
    public let inputWidth: Int
    /// Kernels only.
    public var runsOnBackend: Bool { true }
    /// Same as `inputWidth`.
    public var outputWidth: Int { inputWidth }
    /// None.
    public var variables: [VariableSpec] { [] }
    private let output: ScratchBuffer
    private let inputGradient: ScratchBuffer
    private var lastOutput: Tensor?

    /// Creates the layer for rows of `width` features.
    public init(_ activation: ActivationFunction, width: Int) {
        self.activation = activation
        self.inputWidth = width
        self.output = ScratchBuffer(width: width)
        self.inputGradient = ScratchBuffer(width: width)
    }

    /// y = f(x).
    public func forward(_ input: Tensor, parameters: ParameterSet, offset: Int, training: Bool, backend: any ComputeBackend) throws -> Tensor {
        try requireShape(input.columns == inputWidth, "\(activation.rawValue): input \(input.shape), expected width \(inputWidth)")
        let y = output.view(rows: input.rows)
        try backend.activate(activation, input, into: y)
        lastOutput = y
        return y
    }

    /// dx = dy · f'(x), computed from the saved output.
    public func backward(_ gradOutput: Tensor, parameters: ParameterSet, gradients: ParameterSet, offset: Int,
                         needsInputGradient: Bool, backend: any ComputeBackend) throws -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let y = lastOutput else {
            throw TrainingError(.invalidConfiguration, "\(activation.rawValue): backward before forward")
        }
        let dx = inputGradient.view(rows: gradOutput.rows)
        try backend.activationBackward(activation, output: y, gradOutput: gradOutput, into: dx)
        return dx
    }
}
