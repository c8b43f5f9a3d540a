import TensorWire

/// A fully connected layer y = x · kernel + bias with variables `dense_<i>/kernel` [in, out]
/// (Glorot uniform) and `dense_<i>/bias` [out] (zeros).
public final class Dense: Layer {
    /// Features per input row.
    public let inputWidth: Int
    /// Kernels only.
    public var runsOnBackend: Bool { true }
    /// Features per output row.
    public let outputWidth: Int
    /// The layer's variables: kernel then bias.
    public let variables: [VariableSpec]
    private let output: ScratchBuffer
    private let inputGradient: ScratchBuffer
    private var lastInput: Tensor?

    /// Creates `dense_<index>` mapping `inputWidth` to `outputWidth` features.
    public init(index: Int, inputWidth: Int, outputWidth: Int) {
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
        self.variables = [
            VariableSpec(name: "dense_\(index)/kernel", shape: Shape([inputWidth, outputWidth]), initializer: .glorotUniform),
            VariableSpec(name: "dense_\(index)/bias", shape: Shape([outputWidth]), initializer: .zeros),
        ]
        self.output = ScratchBuffer(width: outputWidth)
        self.inputGradient = ScratchBuffer(width: inputWidth)
    }

    /// y = x · kernel + bias.
    public func forward(_ input: Tensor, parameters: ParameterSet, offset: Int, training: Bool, backend: any ComputeBackend) throws -> Tensor {
        let n = input.rows
        try requireShape(input.columns == inputWidth, "\(variables[0].name): input \(input.shape), expected width \(inputWidth)")
        let y = output.view(rows: n)
        try backend.gemm(input, transposeA: false, parameters.tensors[offset], transposeB: false, into: y, alpha: 1, beta: 0)
        try backend.addBias(parameters.tensors[offset + 1], to: y)
        lastInput = input
        return y
    }

    /// d kernel = xᵀ · dy, d bias = Σ rows dy, dx = dy · kernelᵀ.
    public func backward(_ gradOutput: Tensor, parameters: ParameterSet, gradients: ParameterSet, offset: Int,
                         needsInputGradient: Bool, backend: any ComputeBackend) throws -> Tensor? {
        guard let x = lastInput else {
            throw TrainingError(.invalidConfiguration, "\(variables[0].name): backward before forward")
        }
        try backend.gemm(x, transposeA: true, gradOutput, transposeB: false, into: gradients.tensors[offset], alpha: 1, beta: 0)
        try backend.columnSums(gradOutput, into: gradients.tensors[offset + 1], beta: 0)
        guard needsInputGradient else { return nil }
        let dx = inputGradient.view(rows: gradOutput.rows)
        try backend.gemm(gradOutput, transposeA: false, parameters.tensors[offset], transposeB: true, into: dx, alpha: 1, beta: 0)
        return dx
    }
}
