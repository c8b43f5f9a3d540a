/// Figures from one `LocalTrainer.train` run.
public struct TrainingReport: Sendable, Hashable {
    /// SGD steps taken.
    public var steps: Int
    /// Rows processed.
    public var samples: Int
    /// Wall time of the training loop.
    public var seconds: Double
    /// Mean batch loss over the last epoch.
    public var lastEpochLoss: Float
    /// Training accuracy over the last epoch (0 for regression).
    public var lastEpochAccuracy: Float

    /// samples / seconds.
    public var samplesPerSecond: Double { seconds > 0 ? Double(samples) / seconds : 0 }
}

/// Trains a model in-process with plain SGD (no network): for tests, examples and benchmarks.
public final class LocalTrainer {
    /// The model trained.
    public let model: any Model
    /// The backend computing it.
    public let backend: any ComputeBackend
    /// Current parameter values (initialised from the variables' initializers).
    public let parameters: ParameterSet
    private var gradients: ParameterSet
    /// SGD step size.
    public var learningRate: Float

    /// Creates a trainer with parameters initialised from `seed`.
    public init(model: any Model, backend: any ComputeBackend, learningRate: Float, seed: UInt64 = 0) throws {
        self.model = model
        self.backend = backend
        self.learningRate = learningRate
        self.parameters = try ParameterSet(variables: model.variables, seed: seed)
        self.gradients = try ParameterSet(variables: model.variables)
    }

    /// One SGD step on `batch`: parameters −= learningRate · gradients.
    @discardableResult
    public func step(_ batch: Batch) throws -> StepResult {
        let result = try model.trainStep(parameters: parameters, batch: batch, gradients: &gradients, backend: backend)
        guard result.loss.isFinite else {
            throw TrainingError(.invalidData, "loss became \(result.loss); lower the learning rate (\(learningRate)) or scale the features")
        }
        for (p, g) in zip(parameters.tensors, gradients.tensors) {
            try backend.axpy(alpha: -learningRate, g, p)
        }
        return result
    }

    /// Trains for `epochs` passes over `dataset` (shuffled per epoch from `seed`), batches prefetched
    /// on a background thread; stops early after `maxSteps` steps if given.
    public func train(on dataset: Dataset, epochs: Int, batchSize: Int, seed: UInt64 = 0, maxSteps: Int? = nil) throws -> TrainingReport {
        guard epochs > 0 else { throw TrainingError(.invalidConfiguration, "epochs must be positive, got \(epochs)") }
        var steps = 0
        var samples = 0
        var epochLoss = 0.0
        var epochCorrect = 0
        var epochCount = 0
        var epochBatches = 0
        let clock = ContinuousClock()
        let start = clock.now
        loop: for epoch in 0..<epochs {
            epochLoss = 0
            epochCorrect = 0
            epochCount = 0
            epochBatches = 0
            let batches = PrefetchingBatchIterator(try BatchIterator(dataset: dataset, batchSize: batchSize, seed: seed, epoch: epoch))
            while let batch = batches.next() {
                let r = try step(batch)
                steps += 1
                samples += r.count
                epochLoss += Double(r.loss)
                epochCorrect += r.correct
                epochCount += r.count
                epochBatches += 1
                if let maxSteps, steps >= maxSteps { break loop }
            }
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return TrainingReport(steps: steps, samples: samples, seconds: seconds,
                              lastEpochLoss: epochBatches > 0 ? Float(epochLoss / Double(epochBatches)) : 0,
                              lastEpochAccuracy: epochCount > 0 ? Float(epochCorrect) / Float(epochCount) : 0)
    }

    /// Held-out metrics of the current parameters on `dataset`.
    public func evaluate(on dataset: Dataset, batchSize: Int = 512) throws -> EvaluationResult {
        try Evaluator(batchSize: batchSize).evaluate(model: model, parameters: parameters, dataset: dataset, backend: backend)
    }
}
