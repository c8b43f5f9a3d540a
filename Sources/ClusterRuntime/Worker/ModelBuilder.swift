import Coordinator
import Training

/// Builds the model a job spec describes, with the input width and classes the data revealed.
enum ModelBuilder {
    static func make(spec: JobSpec, data: WorkerData) throws -> any Model {
        try ModelFactory.make(try config(spec, data: data))
    }

    static func config(_ spec: JobSpec, data: WorkerData) throws -> ModelConfig {
        guard let type = Training.ModelType(rawValue: spec.model.type.rawValue) else {
            throw RuntimeFailure(.unimplemented, "model type \(spec.model.type.rawValue) is not available in this version")
        }
        return ModelConfig(
            type: type, inputWidth: data.featureCount, classes: spec.model.classes ?? data.classes, hidden: spec.model.hidden,
            activation: Training.Activation(rawValue: spec.model.activation.rawValue) ?? .relu,
            dropout: Float(spec.model.dropout), seed: spec.training.seed)
    }
}
