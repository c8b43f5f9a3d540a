/// One categorical column of a wide & deep model: its name and how many hash buckets its ids take.
public struct CategoricalColumn: Sendable, Hashable, Codable {
    /// Column name (the embedding is `embedding_<name>`).
    public var name: String
    /// Number of ids (rows of its embedding table / its wide segment).
    public var buckets: Int

    /// Creates a column.
    public init(name: String, buckets: Int) {
        self.name = name
        self.buckets = buckets
    }
}

/// The layout of a wide & deep model. Input rows are
/// `[ids of categorical (C) | numeric (N) | ids of wide (W)]`, ids as floats in 0..<buckets.
public struct WideDeepConfig: Sendable, Hashable, Codable {
    /// Categorical columns embedded for the deep tower.
    public var categorical: [CategoricalColumn]
    /// Number of numeric columns fed to the deep tower as they are.
    public var numericCount: Int
    /// Names of the wide features (categorical columns or crosses such as `education*occupation`).
    public var wide: [String]
    /// Hash buckets of every wide feature.
    public var wideBuckets: Int
    /// Width of every embedding.
    public var embeddingDim: Int

    /// Creates the layout.
    public init(categorical: [CategoricalColumn], numericCount: Int, wide: [String], wideBuckets: Int, embeddingDim: Int = 8) {
        self.categorical = categorical
        self.numericCount = numericCount
        self.wide = wide
        self.wideBuckets = wideBuckets
        self.embeddingDim = embeddingDim
    }

    /// Features per input row: C + N + W.
    public var inputWidth: Int { categorical.count + numericCount + wide.count }

    /// Throws `invalidConfiguration` naming the first bad field.
    public func validate() throws {
        guard !categorical.isEmpty || numericCount > 0 else {
            throw TrainingError(.invalidConfiguration, "wide_deep needs at least one categorical or numeric column for the deep part")
        }
        guard embeddingDim > 0 else { throw TrainingError(.invalidConfiguration, "wide_deep.embedding_dim must be positive, got \(embeddingDim)") }
        guard wide.isEmpty || wideBuckets > 0 else { throw TrainingError(.invalidConfiguration, "wide_deep: wide buckets must be positive") }
        if let bad = categorical.first(where: { $0.buckets <= 0 }) {
            throw TrainingError(.invalidConfiguration, "wide_deep: column \(bad.name) needs a positive number of buckets")
        }
    }
}
