/// How a CSV with categorical columns becomes model input for wide & deep: which columns are
/// categorical (hashed to ids), numeric, and wide (categorical names or crosses `a*b`).
public struct TabularColumns: Sendable, Hashable, Codable {
    /// Categorical columns, hashed into `buckets` ids each (id 0 is reserved for a missing value).
    public var categorical: [String]
    /// Numeric columns (a missing value becomes the column mean).
    public var numeric: [String]
    /// Wide features: categorical column names, or crosses of them joined by `*` (e.g. `education*occupation`).
    public var wide: [String]
    /// Hash buckets per categorical column.
    public var buckets: Int
    /// Hash buckets per wide feature.
    public var wideBuckets: Int
    /// Embedding width recorded in the layout.
    public var embeddingDim: Int

    /// Creates a column selection; 1000 buckets per column and per wide feature, embeddings of 8.
    public init(categorical: [String], numeric: [String], wide: [String] = [], buckets: Int = 1000, wideBuckets: Int = 1000,
                embeddingDim: Int = 8) {
        self.categorical = categorical
        self.numeric = numeric
        self.wide = wide
        self.buckets = buckets
        self.wideBuckets = wideBuckets
        self.embeddingDim = embeddingDim
    }

    /// The model layout these columns produce: rows `[categorical ids | numeric | wide ids]`.
    public var layout: WideDeepConfig {
        WideDeepConfig(categorical: categorical.map { CategoricalColumn(name: $0, buckets: buckets) }, numericCount: numeric.count,
                       wide: wide, wideBuckets: wideBuckets, embeddingDim: embeddingDim)
    }

    /// Names of the encoded columns, in row order (`wide:` prefixes the wide features).
    public var featureNames: [String] { categorical + numeric + wide.map { "wide:\($0)" } }
}
