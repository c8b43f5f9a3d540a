import DataPlane
import JobSpec
import Training

/// Builds the model a job spec describes, with the input width, classes and column layout the
/// data revealed: the built-in families through `ModelFactory`, anything else through `ModelRegistry`.
public enum ModelBuilder {
    public static func make(spec: JobSpec, data: WorkerData) throws -> any Model {
        if let custom = ModelRegistry.factory(for: spec.model.type.rawValue) {
            return try custom(ModelRequest(spec: spec, inputWidth: data.featureCount, classes: spec.model.classes ?? data.classes,
                                           layout: data.layout))
        }
        return try ModelFactory.makeModel(try config(spec, inputWidth: data.featureCount, classes: data.classes, layout: data.layout))
    }

    /// The model of `spec` for data described by `preprocessing` (a served export: the input width, classes and
    /// column layout come from the preprocessing its chief declared).
    public static func make(spec: JobSpec, preprocessing p: Preprocessing) throws -> any Model {
        let classes = max(2, p.classes ?? 2)
        let layout = p.tabular?.layout
        if let custom = ModelRegistry.factory(for: spec.model.type.rawValue) {
            return try custom(ModelRequest(spec: spec, inputWidth: p.inputWidth, classes: spec.model.classes ?? classes, layout: layout))
        }
        return try ModelFactory.makeModel(try config(spec, inputWidth: p.inputWidth, classes: classes, layout: layout))
    }

    /// The `ModelConfig` of a built-in family: the spec's own `ModelFamily` and `Activation`, sized by what the data
    /// revealed (`classes` when the spec gives none; `layout` for wide_deep).
    package static func config(_ spec: JobSpec, inputWidth: Int, classes: Int, layout: WideDeepConfig?) throws -> ModelConfig {
        guard let family = spec.model.type.family else {
            throw RuntimeFailure(.unimplemented, "model type \(spec.model.type.rawValue) is neither built in nor registered with ModelRegistry")
        }
        var config = ModelConfig(
            type: family, inputWidth: inputWidth, classes: spec.model.classes ?? classes, hidden: spec.model.hidden,
            activation: spec.model.activation, dropout: Float(spec.model.dropout), seed: spec.training.seed)
        switch family {
        case .cnn:
            let cnn = spec.model.cnn ?? CNNSpec()
            config.cnn = CNNConfig(image: try imageShape(cnn.inputShape, featureCount: inputWidth), filters: cnn.filters,
                                   kernelSize: cnn.kernelSize, poolSize: cnn.poolSize)
        case .wideDeep:
            guard let layout else {
                throw RuntimeFailure(.invalidArgument, "wide_deep needs CSV data with model.wide_deep.categorical/numeric columns (data.format is \(spec.data.format.rawValue))")
            }
            config.wideDeep = layout
        case .linear, .logistic, .softmax, .mlp:
            break
        }
        return config
    }

    /// `model.cnn.input_shape` [h, w, c], else a square single-channel image of the row width (MNIST: 28×28×1).
    static func imageShape(_ given: [Int]?, featureCount: Int) throws -> ImageShape {
        if let given {
            guard given.count == 3, given.reduce(1, *) == featureCount else {
                throw RuntimeFailure(.invalidArgument, "model.cnn.input_shape \(given) does not describe rows of \(featureCount) features as [height, width, channels]")
            }
            return ImageShape(height: given[0], width: given[1], channels: given[2])
        }
        let side = Int(Double(featureCount).squareRoot().rounded())
        guard side * side == featureCount else {
            throw RuntimeFailure(.invalidArgument, "rows of \(featureCount) features are not a square image: set model.cnn.input_shape [height, width, channels]")
        }
        return ImageShape(height: side, width: side, channels: 1)
    }
}
