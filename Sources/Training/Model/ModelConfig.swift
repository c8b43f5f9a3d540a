import JobSpec

/// Which built-in model to build: `{type, input_width, classes, hidden, activation, dropout, seed}`.
public struct ModelConfig: Sendable, Hashable, Codable {
    /// The model family (the job spec's built-in `model.type`s).
    public var type: ModelFamily
    /// Features per input row.
    public var inputWidth: Int
    /// Number of classes (softmax, mlp); 2 means binary for mlp.
    public var classes: Int
    /// Hidden layer widths (mlp).
    public var hidden: [Int]
    /// Hidden nonlinearity (mlp, cnn's dense layers, wide_deep's deep tower): the job spec's `model.activation`.
    public var activation: Activation
    /// Dropout rate after each hidden layer (mlp), 0 for none.
    public var dropout: Float
    /// Seed of the dropout masks.
    public var seed: UInt64
    /// Convolution settings (cnn only).
    public var cnn: CNNConfig?
    /// Column layout (wide_deep only).
    public var wideDeep: WideDeepConfig?

    /// Creates a config; defaults: 2 classes, no hidden layers, relu, no dropout, seed 0.
    public init(type: ModelFamily, inputWidth: Int, classes: Int = 2, hidden: [Int] = [], activation: Activation = .relu,
                dropout: Float = 0, seed: UInt64 = 0, cnn: CNNConfig? = nil, wideDeep: WideDeepConfig? = nil) {
        self.type = type
        self.inputWidth = inputWidth
        self.classes = classes
        self.hidden = hidden
        self.activation = activation
        self.dropout = dropout
        self.seed = seed
        self.cnn = cnn
        self.wideDeep = wideDeep
    }

    enum CodingKeys: String, CodingKey {
        case type, inputWidth = "input_width", classes, hidden, activation, dropout, seed, cnn, wideDeep = "wide_deep"
    }

    /// Decodes with the defaults of `init` for absent keys.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(ModelFamily.self, forKey: .type)
        inputWidth = try c.decode(Int.self, forKey: .inputWidth)
        classes = try c.decodeIfPresent(Int.self, forKey: .classes) ?? 2
        hidden = try c.decodeIfPresent([Int].self, forKey: .hidden) ?? []
        activation = try c.decodeIfPresent(Activation.self, forKey: .activation) ?? .relu
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        cnn = try c.decodeIfPresent(CNNConfig.self, forKey: .cnn)
        wideDeep = try c.decodeIfPresent(WideDeepConfig.self, forKey: .wideDeep)
    }

    /// The task this config trains for.
    public var task: TaskKind {
        switch type {
        case .linear: .regression
        case .logistic: .binaryClassification
        case .softmax: .multiclass(classes: classes)
        case .mlp, .cnn, .wideDeep: classes <= 2 ? .binaryClassification : .multiclass(classes: classes)
        }
    }

    /// Throws `invalidConfiguration` naming the first bad field.
    public func validate() throws {
        guard inputWidth > 0 else { throw TrainingError(.invalidConfiguration, "model.input_width must be positive, got \(inputWidth)") }
        if type == .cnn {
            guard let cnn else { throw TrainingError(.invalidConfiguration, "a cnn model needs its convolution settings (model.cnn)") }
            guard cnn.image.elementCount == inputWidth else {
                throw TrainingError(.invalidConfiguration, "model.cnn input \(cnn.image) holds \(cnn.image.elementCount) values but rows have \(inputWidth)")
            }
            guard !cnn.filters.isEmpty, cnn.filters.allSatisfy({ $0 > 0 }), cnn.kernelSize > 0, cnn.poolSize > 0 else {
                throw TrainingError(.invalidConfiguration, "model.cnn filters, kernel_size and pool_size must be positive")
            }
        }
        if type == .wideDeep {
            guard let wideDeep else { throw TrainingError(.invalidConfiguration, "a wide_deep model needs its column layout (model.wide_deep)") }
            try wideDeep.validate()
            guard wideDeep.inputWidth == inputWidth else {
                throw TrainingError(.invalidConfiguration, "wide_deep layout has \(wideDeep.inputWidth) columns but rows have \(inputWidth)")
            }
        }
        if type == .softmax || type == .mlp || type == .cnn || type == .wideDeep {
            guard classes >= 2 else { throw TrainingError(.invalidConfiguration, "model.classes must be at least 2, got \(classes)") }
        }
        if let bad = hidden.first(where: { $0 <= 0 }) {
            throw TrainingError(.invalidConfiguration, "model.hidden sizes must be positive, got \(bad)")
        }
        guard dropout >= 0, dropout < 1 else {
            throw TrainingError(.invalidConfiguration, "model.dropout must be in [0, 1), got \(dropout)")
        }
    }
}
