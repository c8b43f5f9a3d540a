/// The built-in model families selectable from a job spec.
public enum ModelType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Linear regression (one output, MSE).
    case linear
    /// Logistic regression (one logit, sigmoid cross-entropy).
    case logistic
    /// Softmax regression (one logit per class, softmax cross-entropy).
    case softmax
    /// Multi-layer perceptron; binary when `classes` ≤ 2 (one logit), multiclass otherwise.
    case mlp
}

/// Which built-in model to build: `{type, input_width, classes, hidden, activation, dropout, seed}`.
public struct ModelConfig: Sendable, Hashable, Codable {
    /// The model family.
    public var type: ModelType
    /// Features per input row.
    public var inputWidth: Int
    /// Number of classes (softmax, mlp); 2 means binary for mlp.
    public var classes: Int
    /// Hidden layer widths (mlp).
    public var hidden: [Int]
    /// Hidden nonlinearity (mlp).
    public var activation: Activation
    /// Dropout rate after each hidden layer (mlp), 0 for none.
    public var dropout: Float
    /// Seed of the dropout masks.
    public var seed: UInt64

    /// Creates a config; defaults: 2 classes, no hidden layers, relu, no dropout, seed 0.
    public init(type: ModelType, inputWidth: Int, classes: Int = 2, hidden: [Int] = [], activation: Activation = .relu,
                dropout: Float = 0, seed: UInt64 = 0) {
        self.type = type
        self.inputWidth = inputWidth
        self.classes = classes
        self.hidden = hidden
        self.activation = activation
        self.dropout = dropout
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case type, inputWidth = "input_width", classes, hidden, activation, dropout, seed
    }

    /// Decodes with the defaults of `init` for absent keys.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(ModelType.self, forKey: .type)
        inputWidth = try c.decode(Int.self, forKey: .inputWidth)
        classes = try c.decodeIfPresent(Int.self, forKey: .classes) ?? 2
        hidden = try c.decodeIfPresent([Int].self, forKey: .hidden) ?? []
        activation = try c.decodeIfPresent(Activation.self, forKey: .activation) ?? .relu
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
    }

    /// The task this config trains for.
    public var task: TaskKind {
        switch type {
        case .linear: .regression
        case .logistic: .binaryClassification
        case .softmax: .multiclass(classes: classes)
        case .mlp: classes <= 2 ? .binaryClassification : .multiclass(classes: classes)
        }
    }

    /// Throws `invalidConfiguration` naming the first bad field.
    public func validate() throws {
        guard inputWidth > 0 else { throw TrainingError(.invalidConfiguration, "model.input_width must be positive, got \(inputWidth)") }
        if type == .softmax || type == .mlp {
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
