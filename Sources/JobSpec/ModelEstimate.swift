import TensorWire

/// The variables a built-in model family declares for a job spec, and what one step computes, as far as the spec
/// determines them: the same names and shapes the workers' `ModelFactory` declares when the input width is known.
public struct ModelEstimate: Sendable, Hashable {
    /// One estimated variable and the spec key that sizes it (named in errors).
    public struct Variable: Sendable, Hashable {
        /// The variable as a worker would declare it.
        public var spec: VariableSpec
        /// Its element count (saturating).
        public var elements: Int
        /// The spec key whose value makes it large ("model.hidden[0]").
        public var key: String
    }

    /// Every variable, in declaration order.
    public var variables: [Variable]
    /// Whether the input width comes from the spec (`data.features`, `model.cnn.input_shape`, synthetic weights,
    /// wide & deep columns, or 784 for IDX images); when false the first layer is sized for 1 input (a lower bound).
    public var inputWidthKnown: Bool
    /// Values one example produces on its way through the model (every layer's output; convolutions with their
    /// im2col buffer), saturating.
    public var activationsPerExample: Int
    /// The spec key behind the largest share of `activationsPerExample`.
    public var activationsKey: String

    /// Elements of all variables (embeddings at their vocabulary hint), saturating.
    public var parameters: Int { Saturating.sum(variables.map(\.elements)) }

    /// The declarations (as the workers' model would send them).
    public var variableSpecs: [VariableSpec] { variables.map(\.spec) }
}

extension JobSpec {
    /// The input width IDX data is assumed to have when the spec does not say (28 × 28 MNIST images).
    public static let assumedIDXInputWidth = 784

    /// The model the spec describes, for the built-in families; `nil` for a registered model type (only its
    /// workers know its variables). Call on a spec whose numbers passed `JobSpecLimits` (no product overflows then;
    /// every product saturates regardless).
    public var modelEstimate: ModelEstimate? {
        guard let family = model.type.family else { return nil }
        var builder = EstimateBuilder()
        let output = outputWidth
        let (width, known, inputKey) = inputWidth
        switch family {
        case .cnn:
            builder.cnn(self, inputWidth: width, inputKey: inputKey, output: output)
        case .wideDeep:
            return wideDeepEstimate(output: output)
        case .mlp:
            builder.add(input: width, key: inputKey)
            builder.denseStack(hidden: model.hidden, input: width, inputKey: inputKey, output: output)
        case .linear, .logistic, .softmax:
            builder.add(input: width, key: inputKey)
            builder.dense(0, input: width, output: output, key: model.type == .softmax ? "model.classes" : inputKey)
        }
        return ModelEstimate(variables: builder.variables, inputWidthKnown: known, activationsPerExample: builder.activations, activationsKey: builder.activationsKey)
    }

    /// Logits per example: 1 for regression and binary models, `classes` for multiclass ones (10 for IDX without `classes`).
    var outputWidth: Int {
        let classes = model.classes ?? (data.format == .idx ? 10 : 2)
        switch model.type.family {
        case .linear, .logistic: return 1
        case .softmax: return classes
        case .mlp, .cnn, .wideDeep, nil: return classes <= 2 ? 1 : classes
        }
    }

    /// The input width the spec determines, whether it is known, and the key that sets it.
    var inputWidth: (width: Int, known: Bool, key: String) {
        if data.format == .synthetic, let weights = data.weights { return (weights.count, true, "data.weights") }
        if model.type == .cnn, let shape = model.cnn?.inputShape { return (Saturating.product(shape), true, "model.cnn.input_shape") }
        if let features = data.features { return (features, true, "data.features") }
        if data.format == .idx { return (Self.assumedIDXInputWidth, true, "data.train") }
        return (1, false, "data.features")
    }

    /// Wide & deep: `embedding_<column>` [buckets, dim] per categorical column, the deep tower over the embeddings and
    /// numeric columns, then `wide/kernel` [wide columns × buckets, out] and `wide/bias` (workerd's CSV layout).
    private func wideDeepEstimate(output: Int) -> ModelEstimate {
        let wd = model.wideDeep ?? WideDeepSpec()
        let buckets = wd.vocabularyHint > 1 ? wd.vocabularyHint : 1000
        let wide = wd.wide.isEmpty ? wd.categorical : wd.wide
        var builder = EstimateBuilder()
        for column in wd.categorical {
            builder.variable("embedding_\(column)", [buckets, wd.embeddingDim], kind: .embedding, key: "model.wide_deep.vocabulary_hint")
        }
        let deepInput = Saturating.add(Saturating.multiply(wd.categorical.count, wd.embeddingDim), wd.numeric.count)
        builder.add(input: Saturating.add(deepInput, wide.count), key: "model.wide_deep.embedding_dim")
        builder.denseStack(hidden: model.hidden, input: deepInput, inputKey: "model.wide_deep.embedding_dim", output: output)
        if !wide.isEmpty {
            builder.variable("wide/kernel", [Saturating.multiply(wide.count, buckets), output], kind: .embedding, key: "model.wide_deep.vocabulary_hint")
            builder.variable("wide/bias", [output], kind: .dense, key: "model.wide_deep.wide")
        }
        let known = data.format == .csv && !(wd.categorical.isEmpty && wd.numeric.isEmpty)
        return ModelEstimate(variables: builder.variables, inputWidthKnown: known, activationsPerExample: builder.activations, activationsKey: builder.activationsKey)
    }
}

/// Accumulates estimated variables and activations in the order `ModelFactory` declares them.
private struct EstimateBuilder {
    var variables: [ModelEstimate.Variable] = []
    var activations = 0
    var activationsKey = "data.batch_size"
    private var largestActivation = 0

    mutating func variable(_ name: String, _ dims: [Int], kind: VariableKind, key: String) {
        variables.append(.init(spec: VariableSpec(name: name, shape: Shape(dims), kind: kind), elements: Saturating.product(dims), key: key))
    }

    /// Counts `input` values per example towards the activations; the largest contribution names the key.
    mutating func add(input: Int, key: String) {
        activations = Saturating.add(activations, input)
        if input > largestActivation {
            largestActivation = input
            activationsKey = key
        }
    }

    mutating func dense(_ index: Int, input: Int, output: Int, key: String) {
        variable("dense_\(index)/kernel", [input, output], kind: .dense, key: key)
        variable("dense_\(index)/bias", [output], kind: .dense, key: key)
        add(input: output, key: key)
    }

    /// `dense_0 … dense_h`: one layer per hidden width, then the output layer.
    mutating func denseStack(hidden: [Int], input: Int, inputKey: String, output: Int) {
        var width = input
        for (i, h) in hidden.enumerated() {
            dense(i, input: width, output: h, key: "model.hidden[\(i)]")
            add(input: h, key: "model.hidden[\(i)]")  // the activation's output
            width = h
        }
        dense(hidden.count, input: width, output: output, key: hidden.isEmpty ? inputKey : "model.classes")
    }

    /// conv_i + ReLU + max-pool per filter count ("same" padding, stride 1), flatten, then the dense stack.
    mutating func cnn(_ spec: JobSpec, inputWidth: Int, inputKey: String, output: Int) {
        let cnn = spec.model.cnn ?? CNNSpec()
        var (h, w, c): (Int, Int, Int)
        if let shape = cnn.inputShape, shape.count == 3 {
            (h, w, c) = (shape[0], shape[1], shape[2])
        } else {
            let side = max(1, Int(Double(max(0, inputWidth)).squareRoot().rounded()))
            (h, w, c) = (side, side, 1)
        }
        add(input: Saturating.product([h, w, c]), key: inputKey)
        let k = cnn.kernelSize, p = max(1, cnn.poolSize)
        for (i, f) in cnn.filters.enumerated() {
            let key = "model.cnn.filters[\(i)]"
            variable("conv_\(i)/kernel", [k, k, c, f], kind: .dense, key: key)
            variable("conv_\(i)/bias", [f], kind: .dense, key: key)
            let pixels = Saturating.multiply(h, w)
            add(input: Saturating.multiply(pixels, Saturating.product([k, k, c])), key: "model.cnn.kernel_size")  // im2col
            add(input: Saturating.multiply(pixels, f), key: key)  // conv output
            add(input: Saturating.multiply(pixels, f), key: key)  // ReLU output
            (h, w, c) = (max(1, h / p), max(1, w / p), f)
            add(input: Saturating.product([h, w, c]), key: key)  // pool output
        }
        denseStack(hidden: spec.model.hidden, input: Saturating.product([h, w, c]), inputKey: "model.cnn.filters", output: output)
    }
}
