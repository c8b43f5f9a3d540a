import TensorWire

/// Embedding lookups of integer id columns, concatenated with numeric columns passed through:
/// output row = [table_0[id_0] | … | table_{c-1}[id_{c-1}] | passthrough columns].
///
/// Each table is an embedding variable (`VariableKind.embedding`) `embedding_<column>` [buckets, dim]; ids
/// (stored as floats, rounded) index the rows of the table tensor it is given — the full table, or a compact
/// `[k, dim]` table of a batch's distinct ids (`CompactBatch`) — and ids outside it are an error. Backward
/// scatters row gradients into the given table's gradient (rows not touched get zero).
public final class Embedding: Layer {
    /// One table per id column: the column name and its number of rows.
    public let tables: [(column: String, buckets: Int)]
    /// Width of every embedding vector.
    public let dimension: Int
    /// Input positions of the id columns (one per table, in order).
    public let idColumns: [Int]
    /// Input positions copied through after the embeddings.
    public let passthrough: [Int]
    /// Features per input row.
    public let inputWidth: Int
    /// The table variables, in column order.
    public let variables: [VariableSpec]
    private let result: ScratchBuffer
    private let inputGradient: ScratchBuffer
    private var lastInput: Tensor?

    /// Creates the lookups; `idColumns[i]` holds the ids of `tables[i]`.
    public init(tables: [(column: String, buckets: Int)], dimension: Int, idColumns: [Int], passthrough: [Int], inputWidth: Int) throws {
        guard tables.count == idColumns.count, dimension > 0, tables.allSatisfy({ $0.buckets > 0 }),
              (idColumns + passthrough).allSatisfy({ $0 >= 0 && $0 < inputWidth }) else {
            throw TrainingError(.invalidConfiguration, "embedding: \(tables.count) tables for \(idColumns.count) id columns, dim \(dimension), input width \(inputWidth)")
        }
        self.tables = tables
        self.dimension = dimension
        self.idColumns = idColumns
        self.passthrough = passthrough
        self.inputWidth = inputWidth
        self.variables = tables.map {
            VariableSpec(name: "embedding_\($0.column)", shape: Shape([$0.buckets, dimension]), kind: .embedding,
                         initializer: .truncatedNormal(mean: 0, stddev: 1 / Float(dimension).squareRoot()))
        }
        let out = tables.count * dimension + passthrough.count
        self.result = ScratchBuffer(width: out)
        self.inputGradient = ScratchBuffer(width: inputWidth)
    }

    /// Features per output row.
    public var outputWidth: Int { tables.count * dimension + passthrough.count }

    /// Gathers the rows of each table and copies the passthrough columns.
    public func forward(_ input: Tensor, parameters: ParameterSet, offset: Int, training: Bool, backend: any ComputeBackend) throws -> Tensor {
        try requireShape(input.columns == inputWidth, "embedding: input \(input.shape), expected width \(inputWidth)")
        let n = input.rows
        let y = result.view(rows: n)
        let x = input.baseAddress, out = y.baseAddress, w = outputWidth, d = dimension
        for t in tables.indices {
            let table = parameters.tensors[offset + t].baseAddress
            let buckets = parameters.tensors[offset + t].rows, column = idColumns[t]
            for r in 0..<n {
                let id = try Embedding.id(x[r * inputWidth + column], buckets: buckets, table: tables[t].column, row: r)
                (out + r * w + t * d).update(from: table + id * d, count: d)
            }
        }
        let base = tables.count * d
        for r in 0..<n {
            for (k, column) in passthrough.enumerated() { out[r * w + base + k] = x[r * inputWidth + column] }
        }
        lastInput = input
        return y
    }

    /// Scatters the output gradient into the table gradients; the input gradient is zero for ids.
    public func backward(_ gradOutput: Tensor, parameters: ParameterSet, gradients: ParameterSet, offset: Int,
                         needsInputGradient: Bool, backend: any ComputeBackend) throws -> Tensor? {
        guard let input = lastInput, input.rows == gradOutput.rows else {
            throw TrainingError(.invalidConfiguration, "embedding: backward before forward")
        }
        let n = input.rows, x = input.baseAddress, g = gradOutput.baseAddress, w = outputWidth, d = dimension
        for t in tables.indices {
            let grad = gradients.tensors[offset + t]
            grad.fill(0)
            let dst = grad.baseAddress, column = idColumns[t]
            for r in 0..<n {
                let id = Int(x[r * inputWidth + column].rounded())
                VectorKernels.add(g + r * w + t * d, dst + id * d, count: d)
            }
        }
        guard needsInputGradient else { return nil }
        let dx = inputGradient.view(rows: n)
        dx.fill(0)
        let base = tables.count * d, out = dx.baseAddress
        for r in 0..<n {
            for (k, column) in passthrough.enumerated() { out[r * inputWidth + column] += g[r * w + base + k] }
        }
        return dx
    }

    /// The table row of a float-coded id, or an error naming the table and batch row.
    @inline(__always)
    static func id(_ value: Float, buckets: Int, table: String, row: Int) throws -> Int {
        let rounded = value.rounded()
        guard rounded >= 0, rounded < Float(buckets) else {
            throw TrainingError(.invalidData, "embedding_\(table): id \(value) in batch row \(row) is outside 0..<\(buckets)")
        }
        return Int(rounded)
    }
}
