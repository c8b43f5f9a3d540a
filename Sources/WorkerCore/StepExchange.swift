import DataPlane
import Training

/// How a worker's step moves its variables: dense pulls and pushes, plus the batch's embedding rows when the model has any.
package struct StepExchange: Sendable {
    /// The sparse side, nil for a dense model.
    package let sparse: SparseStep?

    /// The exchange for `model`: with a `SparseStep` when it declares embedding variables.
    package init(model: any Model, parameters: ParameterSet, gradients: ParameterSet) throws {
        sparse = try SparseStep.make(model: model, parameters: parameters, gradients: gradients)
    }

    /// Pulls the step's embedding rows (no-op for a dense model); returns the versions to tag the push with.
    package func pullRows(for batch: Batch, shards: ParameterClient, versions: [UInt64], sync: Bool) async throws -> [UInt64] {
        guard let sparse else { return versions }
        return try await sparse.pull(batch, shards: shards, versions: versions, sync: sync)
    }

    /// The step: compact for a sparse model, the model's own `trainStep` otherwise.
    package func trainStep(_ model: any Model, parameters: ParameterSet, batch: Batch, gradients: inout ParameterSet, backend: any ComputeBackend) throws -> StepResult {
        if let sparse { return try sparse.trainStep(backend: backend) }
        return try model.trainStep(parameters: parameters, batch: batch, gradients: &gradients, backend: backend)
    }

    /// Pushes the step's gradients (dense, plus the rows of a sparse model in the same frames).
    package func push(_ shards: ParameterClient, _ gradients: VariableBuffers, versions: [UInt64]) async throws -> PushSummary {
        guard let sparse else { return try await shards.push(StepGradients(dense: gradients), versions: versions) }
        return try await sparse.push(shards: shards, dense: gradients, versions: versions)
    }

    /// A worker's parameter (or gradient) buffers for `model`: full dense variables, and for a model with embedding
    /// tables empty ones in their place (`ParameterSet.withoutEmbeddingRows`), since the step and the evaluation move
    /// only the rows they touch. Memory does not grow with the vocabularies.
    package static func workerParameters(_ model: any Model) throws -> ParameterSet {
        try ParameterSet.withoutEmbeddingRows(variables: model.variables)
    }

    /// Evaluates on the held-out split; a sparse model pulls the rows of each chunk's keys (`SparseStep.evaluate`).
    package func evaluate(_ data: WorkerData, model: any Model, parameters: ParameterSet, shards: ParameterClient, backend: any ComputeBackend) async throws -> TrainingFigures {
        guard let sparse else { return try data.evaluate(model: model, parameters: parameters, backend: backend) }
        let result = try await sparse.evaluate(try data.evaluationSet(), shards: shards, backend: backend)
        return TrainingFigures(
            loss: Double(result.loss), accuracy: model.task == .regression ? nil : Double(result.accuracy), auc: result.auc.map(Double.init), count: result.count)
    }
}
