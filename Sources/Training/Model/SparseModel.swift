/// A model with embedding-like tables (`VariableKind.embedding`) that can run a step on compact tables holding only
/// the rows its batch touches (see `CompactBatch`), so a worker pulls and pushes those rows instead of whole tables.
///
/// `trainStep` on the full tables keeps working (in-process training, gradient checks); the compact step gives the
/// same loss and the same gradient rows.
public protocol SparseModel: Model {
    /// The tables looked up by id columns, in variable order.
    var sparseTables: [SparseTable] { get }

    /// Runs forward and backward on `batch.batch` (ids replaced by compact row indices). In `parameters` and
    /// `gradients` the variable of `sparseTables[t]` is a `[batch.keys[t].count, rowWidth]` table whose row j
    /// belongs to key `batch.keys[t][j]`; the other variables are as in `trainStep`.
    func trainStep(compact batch: CompactBatch, parameters: ParameterSet, gradients: inout ParameterSet, backend: any ComputeBackend) throws -> StepResult

    /// Predictions for `features` whose ids are compact row indices (`CompactBatch.remap`); in `parameters` the
    /// variable of `sparseTables[t]` is a `[keys[t].count, rowWidth]` table, as in `trainStep(compact:…)`.
    func predict(compact features: Tensor, keys: [[Int64]], parameters: ParameterSet, into predictions: Tensor, backend: any ComputeBackend) throws
}
