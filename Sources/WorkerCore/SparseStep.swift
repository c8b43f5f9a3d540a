import DataPlane
import TensorWire
import Training

/// The sparse side of a worker's step for a model with embedding tables (`SparseModel`): before the step it pulls
/// only the rows of the batch's distinct keys (`CompactBatch`) into compact `[k, width]` tables, the model runs on
/// them, and the compact gradient rows go back under the original keys in the same push as the dense gradients.
/// Evaluation does the same per chunk of held-out rows, so a worker never holds a full table (its `parameters` have
/// empty `[0, width]` buffers for them: `ParameterSet.withoutEmbeddingRows`).
///
/// A dense model gets no `SparseStep`; `StepExchange` then moves only dense variables, as before.
package final class SparseStep: @unchecked Sendable {
    let model: any SparseModel
    let tables: [SparseTable]
    /// The worker's parameter buffers: dense variables are pulled into them, embedding tables are empty.
    let parameters: ParameterSet
    /// The worker's gradient buffers (dense variables pushed from them).
    let gradients: ParameterSet
    private var batch: CompactBatch?
    private var rows: [Tensor] = []
    private var rowGradients: [Tensor] = []
    /// The versions the previous step's push was tagged with (sync: the next rows must be newer).
    private var lastTagged: [UInt64]?

    /// A sparse step for `model` when it declares embedding variables, nil for a dense model; throws when an
    /// embedding variable is not one of the model's `sparseTables` (it could neither be pulled nor pushed).
    package static func make(model: any Model, parameters: ParameterSet, gradients: ParameterSet) throws -> SparseStep? {
        let embeddings = model.variables.indices.filter { model.variables[$0].kind == .embedding }
        guard !embeddings.isEmpty else { return nil }
        guard let sparse = model as? any SparseModel, Set(sparse.sparseTables.map(\.variableIndex)) == Set(embeddings) else {
            throw RuntimeFailure(.failedPrecondition, "the model declares embedding variables \(embeddings.map { model.variables[$0].name }) but does not look them up as SparseModel.sparseTables")
        }
        return SparseStep(model: sparse, parameters: parameters, gradients: gradients)
    }

    private init(model: any SparseModel, parameters: ParameterSet, gradients: ParameterSet) {
        self.model = model
        self.tables = model.sparseTables
        self.parameters = parameters
        self.gradients = gradients
    }

    /// Pulls the rows `batch` touches into compact tables; sync: from every shard at least at the dense pull's version
    /// and newer than the previous step's (a shard holding only embedding rows has no dense pull to wait for it).
    /// Returns the versions to tag the step's push with: per shard, the older of the dense and the rows' version.
    func pull(_ batch: Batch, shards: ParameterClient, versions: [UInt64], sync: Bool) async throws -> [UInt64] {
        let compact = try CompactBatch(batch, tables: tables)
        rows = zip(tables, compact.keys).map { Tensor(zeros: Shape([$1.count, $0.rowWidth])) }
        rowGradients = zip(tables, compact.keys).map { Tensor(zeros: Shape([$1.count, $0.rowWidth])) }
        self.batch = compact
        let minimum = versions.indices.map { l in max(versions[l], lastTagged.map { $0[l] + 1 } ?? 0) }
        let pulled = try await shards.pullRows(buffers(rows, keys: compact.keys), minimumVersions: sync ? minimum : nil, everyShard: true)
        let tagged = versions.indices.map { l in !shards.holdsDensePartitions(l) ? pulled[l] : min(versions[l], pulled[l]) }
        lastTagged = tagged
        return tagged
    }

    /// Runs the model on the compact tables of the last `pull`.
    func trainStep(backend: any ComputeBackend) throws -> StepResult {
        guard let batch else { throw RuntimeFailure(.internalError, "sparse step without pulled rows") }
        var grads = CompactBatch.substitute(rowGradients, tables: tables, in: gradients)
        return try model.trainStep(compact: batch, parameters: CompactBatch.substitute(rows, tables: tables, in: parameters),
                                   gradients: &grads, backend: backend)
    }

    /// Pushes the dense gradients and the compact gradient rows of the last step under their keys, one frame per shard.
    func push(shards: ParameterClient, dense: VariableBuffers, versions: [UInt64]) async throws -> PushSummary {
        guard let batch else { throw RuntimeFailure(.internalError, "sparse push without a step") }
        return try await shards.push(StepGradients(dense: dense, rows: buffers(rowGradients, keys: batch.keys)), versions: versions)
    }

    /// Rows per evaluation chunk: each chunk pulls the rows of its distinct keys (at most `rows × id columns` per
    /// table: 4,096 × 26 × 16 floats ≈ 7 MB for a 26-field click log), so evaluation memory does not grow with the tables.
    static let evaluationChunkRows = 4096

    /// Loss, accuracy and AUC over `dataset`, chunk by chunk: each chunk's ids remapped to compact rows, the rows of
    /// its distinct keys pulled from the shards, the model's compact forward run on them. The dense variables are the
    /// ones in `parameters` (pulled by the caller).
    func evaluate(_ dataset: Dataset, shards: ParameterClient, backend: any ComputeBackend) async throws -> EvaluationResult {
        let n = dataset.count
        guard n > 0 else { return EvaluationResult(loss: 0, accuracy: 0, auc: nil, count: 0) }
        var score = Evaluator.Score(task: model.task, count: n)
        let predictions = Tensor(zeros: Shape([min(Self.evaluationChunkRows, n), model.task.outputWidth]))
        var start = 0
        while start < n {
            let end = min(start + Self.evaluationChunkRows, n)
            let compact = try CompactBatch.remap(try dataset.features.rows(start..<end), tables: tables)
            let pulled = zip(tables, compact.keys).map { Tensor(zeros: Shape([$1.count, $0.rowWidth])) }
            try await shards.pullRows(buffers(pulled, keys: compact.keys))
            let p = try predictions.rows(0..<(end - start))
            try model.predict(compact: compact.remapped, keys: compact.keys, parameters: CompactBatch.substitute(pulled, tables: tables, in: parameters),
                              into: p, backend: backend)
            try score.add(p, labels: dataset.labels.baseAddress + start, firstRow: start)
            start = end
        }
        return score.result(labels: dataset.labels)
    }

    private func buffers(_ tensors: [Tensor], keys: [[Int64]]) -> [SparseRowBuffer] {
        SparseRowBuffer.over(tables, keys: keys, rows: tensors)
    }
}

extension SparseRowBuffer {
    /// One buffer per table over its compact `[k, width]` rows of `keys`, for a row pull or push (the model's
    /// variable indices are below the 65,536 variables a job may declare, far inside UInt32).
    static func over(_ tables: [SparseTable], keys: [[Int64]], rows: [Tensor]) -> [SparseRowBuffer] {
        zip(zip(tables, keys), rows).map { tk, t in
            SparseRowBuffer(variableID: UInt32(tk.0.variableIndex), keys: tk.1, rows: UnsafeMutableBufferPointer(start: t.baseAddress, count: t.count))
        }
    }
}
