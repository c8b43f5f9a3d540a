/// Builds the built-in models from a `ModelConfig`.
public enum ModelFactory {
    /// A new layer-stack model for `config` (validated first); wide_deep is not a stack, use `makeModel`.
    ///
    /// Layouts: linear/logistic/softmax are one `dense_0`; mlp is `dense_0 … dense_h` with the
    /// activation (and dropout, if any) after every hidden layer; cnn is `conv_<i>` + ReLU +
    /// max-pool per filter count, a flatten, then the mlp layout over the flattened features.
    public static func make(_ config: ModelConfig) throws -> SequentialModel {
        try config.validate()
        let task = config.task
        var layers: [any Layer] = []
        switch config.type {
        case .linear, .logistic, .softmax:
            layers.append(Dense(index: 0, inputWidth: config.inputWidth, outputWidth: task.outputWidth))
        case .mlp:
            layers += denseStack(config, inputWidth: config.inputWidth)
        case .cnn:
            guard let cnn = config.cnn else { throw TrainingError(.invalidConfiguration, "a cnn model needs model.cnn") }
            var image = cnn.image
            for (i, filters) in cnn.filters.enumerated() {
                let conv = try Conv2D(index: i, input: image, filters: filters, kernelSize: cnn.kernelSize)
                layers.append(conv)
                layers.append(ActivationLayer(.relu, width: conv.outputWidth))
                let pool = try MaxPool2D(input: conv.output, size: cnn.poolSize)
                layers.append(pool)
                image = pool.output
            }
            layers.append(Flatten(image))
            layers += denseStack(config, inputWidth: image.elementCount)
        case .wideDeep:
            throw TrainingError(.invalidConfiguration, "wide_deep is not a layer stack: build it with ModelFactory.makeModel")
        }
        return try SequentialModel(layers: layers, task: task)
    }

    /// A new model of any built-in family (the worker's entry point).
    public static func makeModel(_ config: ModelConfig) throws -> any Model {
        guard config.type == .wideDeep else { return try make(config) }
        try config.validate()
        guard let layout = config.wideDeep else { throw TrainingError(.invalidConfiguration, "a wide_deep model needs model.wide_deep") }
        return try WideDeepModel(config: layout, task: config.task, hidden: config.hidden, activation: ActivationFunction(config.activation),
                                 dropout: config.dropout, seed: config.seed)
    }

    private static func denseStack(_ config: ModelConfig, inputWidth: Int) -> [any Layer] {
        var layers: [any Layer] = []
        var width = inputWidth
        for (i, h) in config.hidden.enumerated() {
            layers.append(Dense(index: i, inputWidth: width, outputWidth: h))
            layers.append(ActivationLayer(ActivationFunction(config.activation), width: h))
            if config.dropout > 0, let dropout = try? Dropout(rate: config.dropout, width: h, seed: config.seed &+ UInt64(i)) {
                layers.append(dropout)
            }
            width = h
        }
        layers.append(Dense(index: config.hidden.count, inputWidth: width, outputWidth: config.task.outputWidth))
        return layers
    }
}
