import JobSpec

/// Parameters of generated linear data.
public struct SyntheticConfig: Sendable, Hashable, Codable {
    /// One weight per feature.
    public var weights: [Float]
    /// The intercept b.
    public var bias: Float
    /// Rows to generate (train + test before the split).
    public var samples: Int
    /// Standard deviation of the Gaussian noise added to y.
    public var noise: Float
    /// Lower bound of each feature (uniform).
    public var xMin: Float
    /// Upper bound of each feature (uniform).
    public var xMax: Float

    /// Creates a config; the defaults are the "linear-hello" example y = 2x + 10.
    public init(weights: [Float] = [2], bias: Float = 10, samples: Int = 1000, noise: Float = 0.1, xMin: Float = -1, xMax: Float = 1) {
        self.weights = weights
        self.bias = bias
        self.samples = samples
        self.noise = noise
        self.xMin = xMin
        self.xMax = xMax
    }

    enum CodingKeys: String, CodingKey {
        case weights, bias, samples, noise, xMin = "x_min", xMax = "x_max"
    }

    /// Decodes with the defaults of `init` for absent keys.
    public init(from decoder: any Decoder) throws {
        let d = SyntheticConfig()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        weights = try c.decodeIfPresent([Float].self, forKey: .weights) ?? d.weights
        bias = try c.decodeIfPresent(Float.self, forKey: .bias) ?? d.bias
        samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? d.samples
        noise = try c.decodeIfPresent(Float.self, forKey: .noise) ?? d.noise
        xMin = try c.decodeIfPresent(Float.self, forKey: .xMin) ?? d.xMin
        xMax = try c.decodeIfPresent(Float.self, forKey: .xMax) ?? d.xMax
    }
}

/// The `data:` section of a job: format, paths relative to the data root, split, scaling, batching.
public struct DataConfig: Sendable, Hashable, Codable {
    /// The input format (the job spec's `data.format`).
    public var format: DataFormat
    /// Training file (CSV table or IDX images), relative to the data root.
    public var train: String?
    /// IDX training labels.
    public var trainLabels: String?
    /// Optional separate test file; without it `testFraction` of the training rows are held out.
    public var test: String?
    /// IDX test labels.
    public var testLabels: String?
    /// CSV label column name.
    public var label: String?
    /// CSV feature columns to use; all columns except the label when absent.
    public var features: [String]?
    /// Fraction of rows held out for testing when there is no test file (0 for none).
    public var testFraction: Double
    /// Feature scaling; when absent: standard for csv, none for idx and synthetic.
    public var normalize: Normalization?
    /// Rows per batch.
    public var batchSize: Int
    /// Seed of the split and of the per-epoch shuffles.
    public var seed: UInt64
    /// Read at most this many rows of the training source (before the split); all when absent.
    public var limit: Int?
    /// Generated data parameters (synthetic format).
    public var synthetic: SyntheticConfig?
    /// Categorical/numeric/wide columns of a CSV for wide & deep (csv only); replaces `features`.
    public var tabular: TabularColumns?
    /// Features per row of a sparse format (libsvm); the largest index seen when absent.
    public var featureCount: Int?

    /// Creates a config with defaults: test_fraction 0.2, batch_size 32, seed 0.
    public init(format: DataFormat, train: String? = nil, trainLabels: String? = nil, test: String? = nil, testLabels: String? = nil,
                label: String? = nil, features: [String]? = nil, testFraction: Double = 0.2, normalize: Normalization? = nil,
                batchSize: Int = 32, seed: UInt64 = 0, limit: Int? = nil, synthetic: SyntheticConfig? = nil,
                tabular: TabularColumns? = nil, featureCount: Int? = nil) {
        self.format = format
        self.train = train
        self.trainLabels = trainLabels
        self.test = test
        self.testLabels = testLabels
        self.label = label
        self.features = features
        self.testFraction = testFraction
        self.normalize = normalize
        self.batchSize = batchSize
        self.seed = seed
        self.limit = limit
        self.synthetic = synthetic
        self.tabular = tabular
        self.featureCount = featureCount
    }

    enum CodingKeys: String, CodingKey {
        case format, train, trainLabels = "train_labels", test, testLabels = "test_labels", label, features
        case testFraction = "test_fraction", normalize, batchSize = "batch_size", seed, limit, synthetic, tabular
        case featureCount = "feature_count"
    }

    /// Decodes with the defaults of `init` for absent keys.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(DataFormat.self, forKey: .format)
        train = try c.decodeIfPresent(String.self, forKey: .train)
        trainLabels = try c.decodeIfPresent(String.self, forKey: .trainLabels)
        test = try c.decodeIfPresent(String.self, forKey: .test)
        testLabels = try c.decodeIfPresent(String.self, forKey: .testLabels)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        features = try c.decodeIfPresent([String].self, forKey: .features)
        testFraction = try c.decodeIfPresent(Double.self, forKey: .testFraction) ?? 0.2
        normalize = try c.decodeIfPresent(Normalization.self, forKey: .normalize)
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? 32
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        limit = try c.decodeIfPresent(Int.self, forKey: .limit)
        synthetic = try c.decodeIfPresent(SyntheticConfig.self, forKey: .synthetic)
        tabular = try c.decodeIfPresent(TabularColumns.self, forKey: .tabular)
        featureCount = try c.decodeIfPresent(Int.self, forKey: .featureCount)
    }

    /// The file paths set, each with its spec key (`data.train`, `data.train_labels`, `data.test`, `data.test_labels`).
    public var paths: [(key: String, path: String)] {
        [("data.train", train), ("data.train_labels", trainLabels), ("data.test", test), ("data.test_labels", testLabels)]
            .compactMap { key, path in path.map { (key, $0) } }
    }

    /// The scaling actually applied: `normalize`, or the format's default.
    public var effectiveNormalization: Normalization {
        normalize ?? (format == .csv ? .standard : .none)
    }

    /// Throws `invalidConfiguration` naming the first missing or out-of-range field.
    public func validate() throws {
        func fail(_ m: String) -> TrainingError { TrainingError(.invalidConfiguration, m) }
        guard batchSize > 0 else { throw fail("data.batch_size must be positive, got \(batchSize)") }
        guard testFraction >= 0, testFraction < 1 else { throw fail("data.test_fraction must be in [0, 1), got \(testFraction)") }
        if let limit, limit <= 0 { throw fail("data.limit must be positive, got \(limit)") }
        switch format {
        case .csv:
            guard train != nil else { throw fail("data.train is required for csv") }
            guard label != nil else { throw fail("data.label (the label column) is required for csv") }
        case .idx:
            guard train != nil, trainLabels != nil else { throw fail("data.train and data.train_labels are required for idx") }
            if test != nil && testLabels == nil { throw fail("data.test_labels is required with data.test for idx") }
        case .libsvm, .tfrecord:
            guard train != nil else { throw fail("data.train is required for \(format.rawValue)") }
            if let featureCount, featureCount <= 0 || featureCount > DataLimits.maxFeatures {
                throw fail("data.features must be in 1…\(DataLimits.maxFeatures), got \(featureCount)")
            }
        case .synthetic:
            let s = synthetic ?? SyntheticConfig()
            guard !s.weights.isEmpty else { throw fail("data.synthetic.weights must not be empty") }
            guard s.samples > 0 else { throw fail("data.synthetic.samples must be positive") }
            guard s.xMax > s.xMin else { throw fail("data.synthetic.x_max must exceed x_min") }
            guard s.noise >= 0 else { throw fail("data.synthetic.noise must not be negative") }
        }
    }
}
