/// The built-in model families every worker can build (`model.type` values that need no registration).
public enum ModelFamily: String, Sendable, Hashable, Codable, CaseIterable {
    /// Linear regression (one output, MSE).
    case linear
    /// Logistic regression (one logit, sigmoid cross-entropy).
    case logistic
    /// Softmax regression (one logit per class, softmax cross-entropy, no hidden layer).
    case softmax
    /// Multi-layer perceptron; binary when `classes` ≤ 2 (one logit), multiclass otherwise.
    case mlp
    /// LeNet-style convolutional network (`model.cnn`), then the `hidden` dense layers.
    case cnn
    /// Wide & Deep: a linear part over sparse features plus an MLP over embeddings (`model.wide_deep`).
    case wideDeep = "wide_deep"
}

/// A `model.type` name: one of the built-in families (static members) or a model a worker registered by name.
public struct ModelType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name as written in the job spec (`[a-z][a-z0-9_]*`).
    public let rawValue: String

    /// A model type named `rawValue`; `nil` unless the name matches `[a-z][a-z0-9_]*` (at most 64 characters).
    public init?(rawValue: String) {
        guard Self.isValidName(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// The model type naming a built-in family.
    public init(family: ModelFamily) { rawValue = family.rawValue }

    /// Linear regression (MSE loss).
    public static let linear = ModelType(family: .linear)
    /// Logistic regression (sigmoid cross-entropy, binary labels).
    public static let logistic = ModelType(family: .logistic)
    /// Softmax regression (multi-class, no hidden layer).
    public static let softmax = ModelType(family: .softmax)
    /// Multi-layer perceptron.
    public static let mlp = ModelType(family: .mlp)
    /// LeNet-style convolutional network.
    public static let cnn = ModelType(family: .cnn)
    /// Wide & Deep: a linear part over sparse features plus an MLP over embeddings.
    public static let wideDeep = ModelType(family: .wideDeep)

    /// The families every worker can build, in documentation order.
    public static let builtIn: [ModelType] = ModelFamily.allCases.map(ModelType.init(family:))

    /// The built-in family this name selects; `nil` for a model a worker must have registered.
    public var family: ModelFamily? { ModelFamily(rawValue: rawValue) }

    /// Whether this is one of the built-in families (otherwise a worker must have registered it).
    public var isBuiltIn: Bool { family != nil }

    /// The name.
    public var description: String { rawValue }

    /// Whether `name` is a usable model type name: `[a-z][a-z0-9_]*`, at most 64 characters.
    public static func isValidName(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        guard let first = scalars.first, ("a"..."z").contains(first), scalars.count <= 64 else { return false }
        return scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Decodes a plain string, rejecting names that are not `[a-z][a-z0-9_]*`.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let type = ModelType(rawValue: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(name)\" is not a model type name ([a-z][a-z0-9_]*)"))
        }
        self = type
    }

    /// Encodes the name as a plain string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A hidden-layer activation.
public enum Activation: String, Sendable, Hashable, Codable, CaseIterable {
    /// max(0, x).
    case relu
    /// 1 / (1 + e^-x).
    case sigmoid
    /// Hyperbolic tangent.
    case tanh
}

/// The `model` section of a job spec.
public struct ModelSpec: Sendable, Hashable, Codable {
    /// The model family: a built-in one or a name workers registered.
    public var type: ModelType
    /// Hidden layer widths (mlp default [128, 64]; cnn: the dense layers after the convolutions, default [128]; wide_deep: the deep tower, default [128, 64]; a registered model may read them; empty otherwise).
    public var hidden: [Int]
    /// Activation of hidden layers (default relu).
    public var activation: Activation
    /// Dropout rate on hidden layers in [0, 1) (default 0).
    public var dropout: Double
    /// Number of classes for softmax-type outputs; `nil` lets the chief infer it from the labels.
    public var classes: Int?
    /// Convolution settings (only for `cnn`).
    public var cnn: CNNSpec?
    /// Wide & Deep settings (only for `wide_deep`).
    public var wideDeep: WideDeepSpec?

    /// Creates a model section.
    public init(
        type: ModelType, hidden: [Int] = [], activation: Activation = .relu, dropout: Double = 0,
        classes: Int? = nil, cnn: CNNSpec? = nil, wideDeep: WideDeepSpec? = nil
    ) {
        self.type = type
        self.hidden = hidden
        self.activation = activation
        self.dropout = dropout
        self.classes = classes
        self.cnn = cnn
        self.wideDeep = wideDeep
    }

    /// The hidden widths used when `hidden` is omitted for a model type.
    public static func defaultHidden(for type: ModelType) -> [Int] {
        switch type.family {
        case .mlp, .wideDeep: [128, 64]
        case .cnn: [128]
        case .linear, .logistic, .softmax, nil: []
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, hidden, activation, dropout, classes, cnn
        case wideDeep = "wide_deep"
    }
}

/// Convolution settings of a `cnn` model (`model.cnn`).
public struct CNNSpec: Sendable, Hashable, Codable {
    /// Output channels of each conv + max-pool block (default [32, 64]).
    public var filters: [Int]
    /// Square kernel size of every convolution (default 5, "same" padding, stride 1).
    public var kernelSize: Int
    /// Square max-pool window and stride after each convolution (default 2).
    public var poolSize: Int
    /// Input image shape [height, width, channels]; `nil` takes it from the data (IDX images are [h, w, 1]).
    public var inputShape: [Int]?

    /// Creates convolution settings.
    public init(filters: [Int] = [32, 64], kernelSize: Int = 5, poolSize: Int = 2, inputShape: [Int]? = nil) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.poolSize = poolSize
        self.inputShape = inputShape
    }

    enum CodingKeys: String, CodingKey {
        case filters
        case kernelSize = "kernel_size"
        case poolSize = "pool_size"
        case inputShape = "input_shape"
    }
}

/// Wide & Deep settings (`model.wide_deep`).
public struct WideDeepSpec: Sendable, Hashable, Codable {
    /// Width of each categorical feature's embedding (default 8).
    public var embeddingDim: Int
    /// Categorical features (int64 ids) fed to embeddings; empty means "every integer feature" (libsvm: every index).
    public var categorical: [String]
    /// Numeric features fed to the deep tower as they are.
    public var numeric: [String]
    /// Features of the wide (linear) part; empty means the categorical ones.
    public var wide: [String]
    /// Expected rows per embedding table, a sizing hint only (0 = unbounded; rows are created on first touch).
    public var vocabularyHint: Int

    /// Creates Wide & Deep settings.
    public init(embeddingDim: Int = 8, categorical: [String] = [], numeric: [String] = [], wide: [String] = [], vocabularyHint: Int = 0) {
        self.embeddingDim = embeddingDim
        self.categorical = categorical
        self.numeric = numeric
        self.wide = wide
        self.vocabularyHint = vocabularyHint
    }

    enum CodingKeys: String, CodingKey {
        case categorical, numeric, wide
        case embeddingDim = "embedding_dim"
        case vocabularyHint = "vocabulary_hint"
    }
}
