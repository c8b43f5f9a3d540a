/// How a variable's storage is laid out across shards.
public enum VariableKind: String, Sendable, Hashable, Codable {
    /// A dense tensor, placed whole or partitioned along dim 0.
    case dense
    /// An embedding table: rows keyed by int64, hash-partitioned, created on first touch.
    case embedding
}

/// How a variable's initial values are drawn.
public enum Initializer: Sendable, Hashable, Codable {
    /// All zeros.
    case zeros
    /// Every element set to the value.
    case constant(Float)
    /// Uniform in [low, high).
    case uniform(low: Float, high: Float)
    /// Normal with the mean and standard deviation, truncated at two standard deviations.
    case truncatedNormal(mean: Float, stddev: Float)
    /// Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)).
    case glorotUniform
    /// He (Kaiming) normal for ReLU layers: N(0, sqrt(2 / fanIn)), truncated.
    case heNormal
}

/// One variable of a model: its name, shape, dtype, kind and initializer.
public struct VariableSpec: Sendable, Hashable, Codable {
    /// Stable, documented name such as `dense_0/kernel`.
    public var name: String
    /// Full (unpartitioned) shape; for embeddings `[vocabulary hint, width]` (dim 0 may be 0 = unbounded).
    public var shape: Shape
    /// Element type; the skeleton stores f32 only.
    public var dtype: DType
    /// Dense or embedding.
    public var kind: VariableKind
    /// How initial values are drawn.
    public var initializer: Initializer

    /// Creates a variable specification.
    public init(name: String, shape: Shape, dtype: DType = .f32, kind: VariableKind = .dense, initializer: Initializer = .zeros) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.kind = kind
        self.initializer = initializer
    }

    /// Bytes the whole variable occupies (dense kinds).
    public var byteCount: Int { shape.elementCount * dtype.byteWidth }
}
