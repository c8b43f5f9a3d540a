/// Builds the built-in models from a `ModelConfig`.
public enum ModelFactory {
    /// A new model instance for `config` (validated first).
    ///
    /// Layouts: linear/logistic/softmax are one `dense_0`; mlp is `dense_0 … dense_h` with the
    /// activation (and dropout, if any) after every hidden layer.
    public static func make(_ config: ModelConfig) throws -> SequentialModel {
        try config.validate()
        let task = config.task
        var layers: [any Layer] = []
        switch config.type {
        case .linear, .logistic, .softmax:
            layers.append(Dense(index: 0, inputWidth: config.inputWidth, outputWidth: task.outputWidth))
        case .mlp:
            var width = config.inputWidth
            for (i, h) in config.hidden.enumerated() {
                layers.append(Dense(index: i, inputWidth: width, outputWidth: h))
                layers.append(ActivationLayer(config.activation, width: h))
                if config.dropout > 0 {
                    layers.append(try Dropout(rate: config.dropout, width: h, seed: config.seed &+ UInt64(i)))
                }
                width = h
            }
            layers.append(Dense(index: config.hidden.count, inputWidth: width, outputWidth: task.outputWidth))
        }
        return try SequentialModel(layers: layers, task: task)
    }
}
