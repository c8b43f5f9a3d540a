import Coordinator
import Foundation

extension JobSpec {
    /// The hyperparameters TensorBoard's HParams dashboard compares jobs by, keyed by their job-spec paths
    /// (`model.hidden` as a string like "128,64"; optional keys only when the spec sets them).
    public var tensorBoardHParams: [String: TensorBoardHParam] {
        var hparams: [String: TensorBoardHParam] = [
            "optimizer.type": .string(optimizer.type.rawValue),
            "optimizer.learning_rate": .number(optimizer.learningRate),
            "optimizer.schedule.type": .string(optimizer.schedule.type.rawValue),
            "model.type": .string(model.type.rawValue),
            "model.hidden": .string(model.hidden.map(String.init).joined(separator: ",")),
            "model.activation": .string(model.activation.rawValue),
            "model.dropout": .number(model.dropout),
            "data.batch_size": .number(Double(data.batchSize)),
            "training.mode": .string(training.mode.rawValue),
            "cluster.workers": .number(Double(cluster.workers)),
        ]
        if optimizer.type == .momentum || optimizer.type == .rmsprop { hparams["optimizer.momentum"] = .number(optimizer.momentum) }
        if let epochs = training.epochs { hparams["training.epochs"] = .number(Double(epochs)) }
        if let maxSteps = training.maxSteps { hparams["training.max_steps"] = .number(Double(maxSteps)) }
        if let shards = cluster.psShards { hparams["cluster.ps_shards"] = .number(Double(shards)) }
        return hparams
    }
}

extension TensorBoardSessionStatus {
    /// The dashboard status of a job state (a cancelled job is neither a success nor a failure: unknown).
    public init(_ state: JobState) {
        switch state {
        case .pending, .running: self = .running
        case .succeeded: self = .success
        case .failed: self = .failure
        case .cancelled: self = .unknown
        }
    }
}
