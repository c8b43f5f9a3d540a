import DataPlane
import TensorWire
import Training

/// The sparse side of a worker's step for a model with embedding tables (`SparseModel`): before the step it pulls
/// only the rows of the batch's distinct keys (`CompactBatch`) into compact `[k, width]` tables, the model runs on
/// them, and the compact gradient rows go back under the original keys in the same push as the dense gradients.
/// Evaluation pulls the rows of the held-out split's keys into the worker's local full tables (row = key).
///
/// A dense model gets no `SparseStep`; `StepExchange` then moves only dense variables, as before.
package final class SparseStep: @unchecked Sendable {
    let model: any SparseModel
    let tables: [SparseTable]
    /// The worker's full parameter buffers (dense variables are pulled into them; the tables serve evaluation).
    let parameters: ParameterSet
    /// The worker's gradient buffers (dense variables pushed from them).
    let gradients: ParameterSet
    private var batch: CompactBatch?
    private var rows: [Tensor] = []
    private var rowGradients: [Tensor] = []
    private var evaluationKeys: [[Int64]]?
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

    /// Pulls the rows of `features`' keys (the held-out split, computed once) into the local full tables.
    func refresh(for features: Tensor, shards: ParameterClient) async throws {
        let keys = try evaluationKeys ?? CompactBatch.remap(features, tables: tables).keys
        evaluationKeys = keys
        let pulled = zip(tables, keys).map { Tensor(zeros: Shape([$1.count, $0.rowWidth])) }
        try await shards.pullRows(buffers(pulled, keys: keys))
        for ((table, keys), rows) in zip(zip(tables, keys), pulled) {
            let full = parameters.tensors[table.variableIndex], d = table.rowWidth
            for (j, key) in keys.enumerated() where key >= 0 && Int(key) < full.rows {
                (full.baseAddress + Int(key) * d).update(from: rows.baseAddress + j * d, count: d)
            }
        }
    }

    private func buffers(_ tensors: [Tensor], keys: [[Int64]]) -> [SparseRowBuffer] {
        zip(zip(tables, keys), tensors).map { tk, t in
            SparseRowBuffer(variableID: UInt32(tk.0.variableIndex), keys: tk.1, rows: UnsafeMutableBufferPointer(start: t.baseAddress, count: t.count))
        }
    }
}
