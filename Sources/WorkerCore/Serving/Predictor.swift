import DataPlane
import Synchronization
import TensorWire
import Training

/// Answers predictions for raw examples — the job's preprocessing, then the model's forward pass — on the parameters
/// it holds, which a replica replaces as the job trains (`replace(parameters:version:)`); a version is a job step.
///
/// A predictor of an embedding model served live (`rows` given) holds no table: its parameters have empty
/// `[0, width]` buffers for them (`ParameterSet.withoutEmbeddingRows`), and each request reads the rows of its
/// distinct ids from the job's shards (`prediction(for:)`), then runs the model's compact forward pass on them.
public final class Predictor: Sendable {
    /// The model being served.
    public let model: any Model
    /// How raw examples become model rows.
    public let preprocessing: Preprocessing
    private let backend: any ComputeBackend
    private let current: Mutex<(parameters: ParameterSet, version: UInt64)>
    /// Where an embedding model served live reads the rows of each request; nil: every variable is in `parameters`.
    private let rows: (any EmbeddingRowSource)?
    /// The model as a `SparseModel` when `rows` is given.
    private let sparse: (any SparseModel)?

    /// A predictor of `model` with `parameters` at `version`; throws when the preprocessing does not fit the model.
    /// With `rows`, the model must look its embedding variables up as `SparseModel.sparseTables`, and `parameters`
    /// need not hold them (`ParameterSet.withoutEmbeddingRows`).
    public init(
        model: any Model, preprocessing: Preprocessing, parameters: ParameterSet, version: UInt64, backend: any ComputeBackend,
        rows: (any EmbeddingRowSource)? = nil
    ) throws {
        guard preprocessing.inputWidth == model.inputWidth else {
            throw RuntimeFailure(.failedPrecondition, "the preprocessing makes rows of \(preprocessing.inputWidth) values; the model takes \(model.inputWidth)")
        }
        if rows != nil {
            let embeddings = Set(model.variables.indices.filter { model.variables[$0].kind == .embedding })
            guard let sparse = model as? any SparseModel, Set(sparse.sparseTables.map(\.variableIndex)) == embeddings else {
                throw RuntimeFailure(.failedPrecondition, "the model's embedding variables \(embeddings.sorted().map { model.variables[$0].name }) are not looked up as SparseModel.sparseTables, so their rows cannot be read per request")
            }
            self.sparse = sparse
        } else {
            sparse = nil
        }
        self.model = model
        self.preprocessing = preprocessing
        self.backend = backend
        self.rows = rows
        current = Mutex((parameters, version))
    }

    /// The version (job step) of the parameters answering now.
    public var version: UInt64 { current.withLock { $0.version } }

    /// Whether a prediction reads embedding rows from the shards (awaited: `prediction(for:)`, not `predict`).
    public var readsRows: Bool { rows != nil }

    /// Answers with `parameters` from now on (they must not be written afterwards).
    public func replace(parameters: ParameterSet, version: UInt64) {
        current.withLock { $0 = (parameters, version) }
    }

    /// One output row per example (class probabilities, P(label = 1), or the value), and the version that answered.
    /// INVALID_ARGUMENT naming the example and the problem when one cannot be read. A predictor that `readsRows`
    /// answers only through `prediction(for:)` (FAILED_PRECONDITION here).
    public func predict(_ examples: [RawExample]) throws -> (outputs: [[Float]], version: UInt64) {
        guard !readsRows else {
            throw RuntimeFailure(.failedPrecondition, "this model reads embedding rows from its shards per request: its predictions are awaited")
        }
        guard let features = try features(examples) else { return ([], version) }
        let predictions = Tensor(zeros: Shape([examples.count, model.task.outputWidth]))
        let (parameters, version) = current.withLock { $0 }
        try model.predict(parameters: parameters, features: features, into: predictions, backend: backend)
        return (Self.outputRows(predictions), version)
    }

    /// `predict`, for every predictor: one that `readsRows` first pulls the rows of the examples' distinct ids from
    /// the shards (UNAVAILABLE with a sentence when they cannot be read), then runs the compact forward pass on them
    /// with the dense parameters of the version it answers with.
    public func prediction(for examples: [RawExample]) async throws -> (outputs: [[Float]], version: UInt64) {
        guard let rows, let sparse else { return try predict(examples) }
        guard let features = try features(examples) else { return ([], version) }
        let tables = sparse.sparseTables
        try Self.checkIDs(features, tables: tables)
        let compact = try CompactBatch.remap(features, tables: tables)
        let (parameters, version) = current.withLock { $0 }
        let pulled = try await rows.rows(for: compact.keys, of: tables)
        let predictions = Tensor(zeros: Shape([examples.count, model.task.outputWidth]))
        try sparse.predict(
            compact: compact.remapped, keys: compact.keys, parameters: CompactBatch.substitute(pulled, tables: tables, in: parameters),
            into: predictions, backend: backend)
        return (Self.outputRows(predictions), version)
    }

    /// The model rows of `examples` (`[n, inputWidth]`), nil for none; INVALID_ARGUMENT naming the example that
    /// cannot be read.
    private func features(_ examples: [RawExample]) throws -> Tensor? {
        let width = model.inputWidth
        guard !examples.isEmpty else { return nil }
        let features = Tensor(zeros: Shape([examples.count, width]))
        for (i, example) in examples.enumerated() {
            let row: [Float]
            do {
                switch example {
                case .numbers(let numbers): row = try preprocessing.row(numbers: numbers)
                case .fields(let fields): row = try preprocessing.row(fields: fields)
                }
            } catch let error as TrainingError {
                throw RuntimeFailure(.invalidArgument, "instance \(i): \(error.message)")
            }
            guard row.count == width else { throw RuntimeFailure(.internalError, "instance \(i): preprocessing made \(row.count) values, not \(width)") }
            row.withUnsafeBufferPointer { if let base = $0.baseAddress { (features.baseAddress + i * width).update(from: base, count: width) } }
        }
        return features
    }

    /// INVALID_ARGUMENT naming the instance, the table and the id when an id column of `features` does not hold a
    /// whole number in the table's range (what `CompactBatch.remap` reads, checked here so the sentence names the instance).
    package static func checkIDs(_ features: Tensor, tables: [SparseTable]) throws(RuntimeFailure) {
        let n = features.rows, w = features.columns, x = features.baseAddress
        for table in tables {
            for r in 0..<n {
                for column in table.idColumns where column >= 0 && column < w {
                    let value = x[r * w + column], rounded = value.rounded()
                    guard rounded >= 0, rounded < Float(table.idsPerColumn) else {
                        throw RuntimeFailure(.invalidArgument, "instance \(r): id \(value) of \(table.name) (input column \(column)) is outside 0..<\(table.idsPerColumn)")
                    }
                }
            }
        }
    }

    /// The rows of `[n, outputs]` predictions as arrays.
    private static func outputRows(_ predictions: Tensor) -> [[Float]] {
        let outputs = predictions.columns
        return (0..<predictions.rows).map { Array(UnsafeBufferPointer(start: predictions.baseAddress + $0 * outputs, count: outputs)) }
    }
}

/// One raw example of a prediction request: numbers in the preprocessing's feature order, or values by feature name.
public enum RawExample: Sendable, Hashable {
    /// A row of numbers (`{"instances": [[...], ...]}`).
    case numbers([Double])
    /// Named values (`{"instances": [{"feature": value}, ...]}`), text for categorical columns.
    case fields([String: Preprocessing.RawValue])
}
