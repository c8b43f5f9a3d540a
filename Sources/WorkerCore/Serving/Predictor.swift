import DataPlane
import Synchronization
import TensorWire
import Training

/// Answers predictions for raw examples — the job's preprocessing, then the model's forward pass — on the parameters
/// it holds, which a replica replaces as the job trains (`replace(parameters:version:)`); a version is a job step.
public final class Predictor: Sendable {
    /// The model being served.
    public let model: any Model
    /// How raw examples become model rows.
    public let preprocessing: Preprocessing
    private let backend: any ComputeBackend
    private let current: Mutex<(parameters: ParameterSet, version: UInt64)>

    /// A predictor of `model` with `parameters` at `version`; throws when the preprocessing does not fit the model.
    public init(model: any Model, preprocessing: Preprocessing, parameters: ParameterSet, version: UInt64, backend: any ComputeBackend) throws {
        guard preprocessing.inputWidth == model.inputWidth else {
            throw RuntimeFailure(.failedPrecondition, "the preprocessing makes rows of \(preprocessing.inputWidth) values; the model takes \(model.inputWidth)")
        }
        self.model = model
        self.preprocessing = preprocessing
        self.backend = backend
        current = Mutex((parameters, version))
    }

    /// The version (job step) of the parameters answering now.
    public var version: UInt64 { current.withLock { $0.version } }

    /// Answers with `parameters` from now on (they must not be written afterwards).
    public func replace(parameters: ParameterSet, version: UInt64) {
        current.withLock { $0 = (parameters, version) }
    }

    /// One output row per example (class probabilities, P(label = 1), or the value), and the version that answered.
    /// INVALID_ARGUMENT naming the example and the problem when one cannot be read.
    public func predict(_ examples: [RawExample]) throws -> (outputs: [[Float]], version: UInt64) {
        let width = model.inputWidth, outputs = model.task.outputWidth
        let n = examples.count
        let features = Tensor(zeros: Shape([max(n, 1), width]))
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
        guard n > 0 else { return ([], version) }
        let predictions = Tensor(zeros: Shape([n, outputs]))
        let (parameters, version) = current.withLock { $0 }
        let batch = n == features.rows ? features : try Tensor(storage: features.storage, offset: 0, shape: Shape([n, width]))
        try model.predict(parameters: parameters, features: batch, into: predictions, backend: backend)
        return ((0..<n).map { Array(UnsafeBufferPointer(start: predictions.baseAddress + $0 * outputs, count: outputs)) }, version)
    }
}

/// One raw example of a prediction request: numbers in the preprocessing's feature order, or values by feature name.
public enum RawExample: Sendable, Hashable {
    /// A row of numbers (`{"instances": [[...], ...]}`).
    case numbers([Double])
    /// Named values (`{"instances": [{"feature": value}, ...]}`), text for categorical columns.
    case fields([String: Preprocessing.RawValue])
}
