import TensorWire

/// The wide part of wide & deep: a linear model over hashed id columns,
/// y = bias + Σ_c kernel[c · buckets + id_c], i.e. x · kernel for the one-hot x the ids stand for.
///
/// Variables `wide/kernel` [columns · buckets, outputs] and `wide/bias` [outputs], both zero-initialised.
/// Column c's ids index its own segment of `buckets` rows, so columns never collide. The kernel is an embedding
/// variable (rows keyed by `c · buckets + id`); with `compactRows` set, ids are row indices of a compact kernel
/// `[k, outputs]` holding only a batch's rows (`CompactBatch`), with no segments.
public final class SparseLinear: Layer {
    /// Input positions of the id columns.
    public let idColumns: [Int]
    /// Rows per column segment.
    public let buckets: Int
    /// Features per input row.
    public let inputWidth: Int
    /// Outputs per row.
    public let outputWidth: Int
    /// Kernel then bias.
    public let variables: [VariableSpec]
    /// Whether the kernel given to `forward`/`backward` is compact (ids are its row indices) rather than the full table.
    public var compactRows = false
    private let result: ScratchBuffer
    private let inputGradient: ScratchBuffer
    private var lastInput: Tensor?

    /// Creates the wide layer over `idColumns`, each with `buckets` ids.
    public init(idColumns: [Int], buckets: Int, inputWidth: Int, outputWidth: Int) throws {
        guard !idColumns.isEmpty, buckets > 0, outputWidth > 0, idColumns.allSatisfy({ $0 >= 0 && $0 < inputWidth }) else {
            throw TrainingError(.invalidConfiguration, "wide: \(idColumns.count) id columns of \(buckets) buckets in an input of width \(inputWidth)")
        }
        self.idColumns = idColumns
        self.buckets = buckets
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
        self.variables = [
            VariableSpec(name: "wide/kernel", shape: Shape([idColumns.count * buckets, outputWidth]), kind: .embedding, initializer: .zeros),
            VariableSpec(name: "wide/bias", shape: Shape([outputWidth]), initializer: .zeros),
        ]
        self.result = ScratchBuffer(width: outputWidth)
        self.inputGradient = ScratchBuffer(width: inputWidth)
    }

    /// Sums the kernel rows of the ids plus the bias.
    public func forward(_ input: Tensor, parameters: ParameterSet, offset: Int, training: Bool, backend: any ComputeBackend) throws -> Tensor {
        try requireShape(input.columns == inputWidth, "wide: input \(input.shape), expected width \(inputWidth)")
        let n = input.rows, o = outputWidth
        let y = result.view(rows: n)
        let x = input.baseAddress, out = y.baseAddress
        let kernel = parameters.tensors[offset].baseAddress, bias = parameters.tensors[offset + 1].baseAddress
        let (stride, limit) = compactRows ? (0, parameters.tensors[offset].rows) : (buckets, buckets)
        for r in 0..<n {
            let row = out + r * o
            row.update(from: bias, count: o)
            for (c, column) in idColumns.enumerated() {
                let id = try Embedding.id(x[r * inputWidth + column], buckets: limit, table: "wide column \(c)", row: r)
                VectorKernels.add(kernel + (c * stride + id) * o, row, count: o)
            }
        }
        lastInput = input
        return y
    }

    /// Scatters dy into the kernel rows of the ids; d bias = Σ rows dy; zero input gradient.
    public func backward(_ gradOutput: Tensor, parameters: ParameterSet, gradients: ParameterSet, offset: Int,
                         needsInputGradient: Bool, backend: any ComputeBackend) throws -> Tensor? {
        guard let input = lastInput, input.rows == gradOutput.rows else {
            throw TrainingError(.invalidConfiguration, "wide: backward before forward")
        }
        let n = input.rows, o = outputWidth, x = input.baseAddress, g = gradOutput.baseAddress
        let dKernel = gradients.tensors[offset]
        dKernel.fill(0)
        let dst = dKernel.baseAddress, stride = compactRows ? 0 : buckets
        for r in 0..<n {
            for (c, column) in idColumns.enumerated() {
                let id = Int(x[r * inputWidth + column].rounded())
                VectorKernels.add(g + r * o, dst + (c * stride + id) * o, count: o)
            }
        }
        try backend.columnSums(gradOutput, into: gradients.tensors[offset + 1], beta: 0)
        guard needsInputGradient else { return nil }
        let dx = inputGradient.view(rows: n)
        dx.fill(0)
        return dx
    }
}
