#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TensorWire

/// Runs a model over a dataset in batches (no copies: row views of the dataset) and computes
/// mean loss, accuracy and, for binary tasks, ROC AUC.
public struct Evaluator: Sendable {
    /// Rows per prediction batch.
    public var batchSize: Int
    /// Probabilities are clamped to [epsilon, 1 − epsilon] before taking logs.
    public var epsilon: Float = 1e-7

    /// Creates an evaluator.
    public init(batchSize: Int = 512) { self.batchSize = max(1, batchSize) }

    /// Evaluates `model` with `parameters` on all of `dataset`.
    public func evaluate(model: any Model, parameters: ParameterSet, dataset: Dataset, backend: any ComputeBackend) throws -> EvaluationResult {
        try evaluate(task: model.task, dataset: dataset) { features, predictions in
            try model.predict(parameters: parameters, features: features, into: predictions, backend: backend)
        }
    }

    /// Evaluates predictions of a `task` made by `predict(features, into)` for each batch of `dataset`'s rows (a
    /// view of at most `batchSize` rows, and `[rows, outputWidth]` predictions to fill).
    public func evaluate(task: TaskKind, dataset: Dataset, predict: (Tensor, Tensor) throws -> Void) throws -> EvaluationResult {
        let width = task.outputWidth
        let n = dataset.count
        guard n > 0 else { return EvaluationResult(loss: 0, accuracy: 0, auc: nil, count: 0) }
        let predictions = Tensor(zeros: Shape([min(batchSize, n), width]))
        var score = Score(task: task, count: n, epsilon: epsilon)
        var start = 0
        while start < n {
            let end = min(start + batchSize, n)
            let p = predictions.prefixRows(end - start)
            try predict(try dataset.features.rows(start..<end), p)
            try score.add(p, labels: dataset.labels.baseAddress + start, firstRow: start)
            start = end
        }
        return score.result(labels: dataset.labels)
    }

    /// Running loss, correct count and scores over batches of predictions, in row order.
    public struct Score {
        let task: TaskKind
        let count: Int
        let epsilon: Float
        var lossSum = 0.0
        var correct = 0
        var scores: [Float] = []

        /// An empty score of `count` rows of `task`.
        public init(task: TaskKind, count: Int, epsilon: Float = 1e-7) {
            self.task = task
            self.count = count
            self.epsilon = epsilon
            if task == .binaryClassification { scores.reserveCapacity(count) }
        }

        /// Adds the predictions `p` (`[rows, outputWidth]`) of rows whose labels start at `labels`.
        public mutating func add(_ p: Tensor, labels: UnsafePointer<Float>, firstRow start: Int) throws {
            let out = p.baseAddress
            for r in 0..<p.rows {
                let y = labels[r]
                switch task {
                case .regression:
                    let d = Double(out[r] - y)
                    lossSum += d * d
                case .binaryClassification:
                    let q = min(max(out[r], epsilon), 1 - epsilon)
                    lossSum -= Double(y * logf(q) + (1 - y) * logf(1 - q))
                    if (out[r] >= 0.5) == (y >= 0.5) { correct += 1 }
                    scores.append(out[r])
                case .multiclass(let classes):
                    guard let label = Int(exactly: y), label >= 0, label < classes else {
                        throw TrainingError(.invalidData, "row \(start + r): label \(y) is not a class id in 0..<\(classes)")
                    }
                    let row = out + r * classes
                    var best = 0
                    for j in 1..<max(classes, 1) where row[j] > row[best] { best = j }
                    if best == label { correct += 1 }
                    lossSum -= Double(logf(min(max(row[label], epsilon), 1)))
                }
            }
        }

        /// Mean loss, accuracy and (binary) AUC over the `count` rows added; `labels` are all of them.
        public func result(labels: Tensor) -> EvaluationResult {
            let n = max(count, 1)
            var auc: Float?
            if task == .binaryClassification {
                auc = ROCAUC.compute(scores: scores, labels: labels.toArray()).map { Float($0) }
            }
            let accuracy: Float = task == .regression ? 0 : Float(correct) / Float(n)
            return EvaluationResult(loss: Float(lossSum / Double(n)), accuracy: accuracy, auc: auc, count: count)
        }
    }
}
