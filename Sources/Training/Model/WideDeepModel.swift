import Synchronization
import TensorWire

/// Wide & deep (Cheng et al. 2016, the TF census-income setup): logits = wide(x) + deep(x), where
/// wide is a `SparseLinear` over hashed categorical/crossed ids and deep is an MLP over the
/// embeddings of the categorical columns concatenated with the numeric columns.
///
/// Variables, in order: `embedding_<column>` [buckets, dim] for each categorical column,
/// `dense_<i>/kernel`, `dense_<i>/bias` of the deep tower, then `wide/kernel`, `wide/bias`.
/// The embedding tables and `wide/kernel` are `VariableKind.embedding` (`sparseTables`): a worker moves only the
/// rows a batch touches and runs `trainStep(compact:…)` on them; `trainStep` on the full tables trains in-process.
public final class WideDeepModel: SparseModel {
    /// All variables (deep tower, then wide part).
    public let variables: [VariableSpec]
    /// What the model predicts.
    public let task: TaskKind
    /// Features per input row (see `WideDeepConfig`).
    public let inputWidth: Int
    /// The layout the model was built from.
    public let config: WideDeepConfig
    /// The embedding tables (key = id) and the wide kernel (key = wide column · wide buckets + id).
    public let sparseTables: [SparseTable]
    private let state: Mutex<State>

    private final class State {
        let deep: [any Layer]
        let deepOffsets: [Int]
        let wide: SparseLinear?
        let wideOffset: Int
        let loss: LossLayer
        let sum: ScratchBuffer
        init(deep: [any Layer], deepOffsets: [Int], wide: SparseLinear?, wideOffset: Int, loss: LossLayer, width: Int) {
            self.deep = deep
            self.deepOffsets = deepOffsets
            self.wide = wide
            self.wideOffset = wideOffset
            self.loss = loss
            self.sum = ScratchBuffer(width: width)
        }
    }

    /// Builds the model: embeddings + numeric → hidden layers (activation, dropout) → logits, plus the wide part.
    public init(config: WideDeepConfig, task: TaskKind, hidden: [Int], activation: ActivationFunction = .relu, dropout: Float = 0, seed: UInt64 = 0) throws {
        try config.validate()
        let c = config.categorical.count, n = config.numericCount
        let width = config.inputWidth
        var deep: [any Layer] = [
            try Embedding(tables: config.categorical.map { ($0.name, $0.buckets) }, dimension: config.embeddingDim,
                          idColumns: Array(0..<c), passthrough: Array(c..<(c + n)), inputWidth: width)
        ]
        var w = deep[0].outputWidth
        for (i, h) in hidden.enumerated() {
            guard h > 0 else { throw TrainingError(.invalidConfiguration, "model.hidden sizes must be positive, got \(h)") }
            deep.append(Dense(index: i, inputWidth: w, outputWidth: h))
            deep.append(ActivationLayer(activation, width: h))
            if dropout > 0 { deep.append(try Dropout(rate: dropout, width: h, seed: seed &+ UInt64(i))) }
            w = h
        }
        deep.append(Dense(index: hidden.count, inputWidth: w, outputWidth: task.outputWidth))
        var variables: [VariableSpec] = []
        var offsets: [Int] = []
        for layer in deep {
            offsets.append(variables.count)
            variables += layer.variables
        }
        var wide: SparseLinear?
        let wideOffset = variables.count
        if !config.wide.isEmpty {
            let layer = try SparseLinear(idColumns: Array((c + n)..<width), buckets: config.wideBuckets, inputWidth: width,
                                         outputWidth: task.outputWidth)
            variables += layer.variables
            wide = layer
        }
        var tables = config.categorical.enumerated().map { t, column in
            SparseTable(variableIndex: t, name: "embedding_\(column.name)", rowWidth: config.embeddingDim, vocabulary: column.buckets,
                        idColumns: [t], keyOffsets: [0], idsPerColumn: column.buckets)
        }
        if let wide {
            tables.append(SparseTable(
                variableIndex: wideOffset, name: "wide/kernel", rowWidth: task.outputWidth, vocabulary: wide.idColumns.count * wide.buckets,
                idColumns: wide.idColumns, keyOffsets: wide.idColumns.indices.map { Int64($0 * wide.buckets) }, idsPerColumn: wide.buckets))
        }
        self.sparseTables = tables
        self.variables = variables
        self.task = task
        self.inputWidth = width
        self.config = config
        self.state = Mutex(State(deep: deep, deepOffsets: offsets, wide: wide, wideOffset: wideOffset, loss: LossLayer(task: task),
                                 width: task.outputWidth))
    }

    /// Forward through both parts, fused loss, backward into both.
    public func trainStep(parameters: ParameterSet, batch: Batch, gradients: inout ParameterSet, backend: any ComputeBackend) throws -> StepResult {
        try check(parameters, "parameters")
        try check(gradients, "gradients")
        let grads = gradients
        return try state.withLock { s throws -> StepResult in try Self.step(s, parameters, batch, grads, backend) }
    }

    /// The same step on compact tables holding only the batch's rows; the wide kernel is indexed by compact row.
    public func trainStep(compact batch: CompactBatch, parameters: ParameterSet, gradients: inout ParameterSet, backend: any ComputeBackend) throws -> StepResult {
        try check(parameters, "parameters", compact: batch.keys)
        try check(gradients, "gradients", compact: batch.keys)
        let grads = gradients
        return try state.withLock { s throws -> StepResult in
            s.wide?.compactRows = true
            defer { s.wide?.compactRows = false }
            return try Self.step(s, parameters, batch.batch, grads, backend)
        }
    }

    private static func step(_ s: State, _ parameters: ParameterSet, _ batch: Batch, _ grads: ParameterSet, _ backend: any ComputeBackend) throws -> StepResult {
        let logits = try Self.logits(s, batch.features, parameters, training: true, backend)
        let (value, g) = try s.loss.forwardBackward(logits, labels: batch.labels, backend: backend)
        if let wide = s.wide {
            _ = try wide.backward(g, parameters: parameters, gradients: grads, offset: s.wideOffset, needsInputGradient: false, backend: backend)
        }
        var dy = g
        for i in s.deep.indices.reversed() {
            if let next = try s.deep[i].backward(dy, parameters: parameters, gradients: grads, offset: s.deepOffsets[i],
                                                 needsInputGradient: i > 0, backend: backend) { dy = next }
        }
        return StepResult(loss: value.loss, correct: value.correct, count: batch.count)
    }

    /// Probabilities (or values) for `features`.
    public func predict(parameters: ParameterSet, features: Tensor, into predictions: Tensor, backend: any ComputeBackend) throws {
        try check(parameters, "parameters")
        try requireShape(predictions.count == features.rows * task.outputWidth, "predict: \(features.rows) rows into predictions \(predictions.shape)")
        try state.withLock { s throws in
            let logits = try Self.logits(s, features, parameters, training: false, backend)
            try s.loss.transformToPredictions(logits, into: predictions, backend: backend)
        }
    }

    /// The same predictions from compact tables holding only the rows of `features`' keys.
    public func predict(compact features: Tensor, keys: [[Int64]], parameters: ParameterSet, into predictions: Tensor, backend: any ComputeBackend) throws {
        try check(parameters, "parameters", compact: keys)
        try requireShape(predictions.count == features.rows * task.outputWidth, "predict: \(features.rows) rows into predictions \(predictions.shape)")
        try state.withLock { s throws in
            s.wide?.compactRows = true
            defer { s.wide?.compactRows = false }
            let logits = try Self.logits(s, features, parameters, training: false, backend)
            try s.loss.transformToPredictions(logits, into: predictions, backend: backend)
        }
    }

    private static func logits(_ s: State, _ features: Tensor, _ parameters: ParameterSet, training: Bool, _ backend: any ComputeBackend) throws -> Tensor {
        var x = features
        for (layer, offset) in zip(s.deep, s.deepOffsets) {
            x = try layer.forward(x, parameters: parameters, offset: offset, training: training, backend: backend)
        }
        guard let wide = s.wide else { return x }
        let out = s.sum.view(rows: features.rows)
        try out.copy(from: x)
        let w = try wide.forward(features, parameters: parameters, offset: s.wideOffset, training: training, backend: backend)
        try backend.axpy(alpha: 1, w, out)
        return out
    }

    /// Checks the buffers' shapes: the full variables, or (with `compact` keys) `[keys[t].count, width]` for the sparse tables.
    private func check(_ set: ParameterSet, _ what: String, compact: [[Int64]]? = nil) throws {
        guard set.count == variables.count else {
            throw TrainingError(.shapeMismatch, "\(what): \(set.count) buffers for \(variables.count) variables")
        }
        var expected = variables.map(\.shape)
        if let compact {
            guard compact.count == sparseTables.count else {
                throw TrainingError(.shapeMismatch, "\(what): keys of \(compact.count) tables for \(sparseTables.count) sparse tables")
            }
            for (table, keys) in zip(sparseTables, compact) { expected[table.variableIndex] = Shape([keys.count, table.rowWidth]) }
        }
        for ((spec, shape), tensor) in zip(zip(variables, expected), set.tensors) where tensor.shape != shape {
            throw TrainingError(.shapeMismatch, "\(what): \(spec.name) has shape \(tensor.shape), expected \(shape)")
        }
    }
}
