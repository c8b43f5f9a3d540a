/// A training data format.
public enum DataFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// Comma-separated values with a header row and a label column.
    case csv
    /// IDX files (MNIST), images and labels in separate files, optionally gzipped.
    case idx
    /// LibSVM sparse text: `label index:value …`.
    case libsvm
    /// TFRecord files of `tf.train.Example`.
    case tfrecord
    /// Generated in memory: y = weights · x + bias + noise, x uniform in [x_min, x_max].
    case synthetic
}

/// How features are scaled before training.
public enum Normalization: String, Sendable, Hashable, Codable, CaseIterable {
    /// Zero mean, unit variance per feature, statistics from the training split.
    case standard
    /// Features as read.
    case none
}

/// The `data` section of a job spec.
public struct DataSpec: Sendable, Hashable, Codable {
    /// File format (or `synthetic`).
    public var format: DataFormat
    /// Training file, relative to workerd's `--data-root` (required unless synthetic).
    public var train: String?
    /// Training labels file (idx only, required there).
    public var trainLabels: String?
    /// Test file; without it `test_fraction` of the training data may be held out.
    public var test: String?
    /// Test labels file (idx, required when `test` is given).
    public var testLabels: String?
    /// Label column (csv, required) or feature name (tfrecord, default "label").
    public var label: String?
    /// Fraction of the training examples held out for evaluation, in [0, 1) (default 0).
    public var testFraction: Double
    /// Feature scaling (default none).
    public var normalize: Normalization
    /// Examples per worker step (default 32).
    public var batchSize: Int
    /// Reshuffle each epoch with a seed derived from `training.seed` (default true).
    public var shuffle: Bool
    /// Feature count for sparse formats (libsvm, tfrecord); `nil` infers it from the data.
    public var features: Int?
    /// Synthetic: number of generated examples (default 1000).
    public var samples: Int?
    /// Synthetic: true weights, one per feature (required).
    public var weights: [Float]?
    /// Synthetic: true bias (default 0).
    public var bias: Double?
    /// Synthetic: standard deviation of Gaussian label noise (default 0).
    public var noise: Double?
    /// Synthetic: lower bound of each feature (default -1).
    public var xMin: Double?
    /// Synthetic: upper bound of each feature (default 1).
    public var xMax: Double?
    /// Train on files as they appear in a directory (online learning) instead of on `train`.
    public var stream: StreamSpec?

    /// Creates a data section.
    public init(
        format: DataFormat, train: String? = nil, trainLabels: String? = nil, test: String? = nil,
        testLabels: String? = nil, label: String? = nil, testFraction: Double = 0,
        normalize: Normalization = .none, batchSize: Int = 32, shuffle: Bool = true, features: Int? = nil,
        samples: Int? = nil, weights: [Float]? = nil, bias: Double? = nil, noise: Double? = nil,
        xMin: Double? = nil, xMax: Double? = nil, stream: StreamSpec? = nil
    ) {
        self.format = format
        self.train = train
        self.trainLabels = trainLabels
        self.test = test
        self.testLabels = testLabels
        self.label = label
        self.testFraction = testFraction
        self.normalize = normalize
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.features = features
        self.samples = samples
        self.weights = weights
        self.bias = bias
        self.noise = noise
        self.xMin = xMin
        self.xMax = xMax
        self.stream = stream
    }

    /// A synthetic data section with defaults filled in: y = weights · x + bias + N(0, noise²).
    public static func synthetic(
        weights: [Float], bias: Double = 0, samples: Int = 1000, noise: Double = 0,
        xMin: Double = -1, xMax: Double = 1, batchSize: Int = 32
    ) -> DataSpec {
        DataSpec(
            format: .synthetic, batchSize: batchSize, samples: samples, weights: weights, bias: bias,
            noise: noise, xMin: xMin, xMax: xMax)
    }

    enum CodingKeys: String, CodingKey {
        case format, train, test, label, normalize, shuffle, features, samples, weights, bias, noise, stream
        case trainLabels = "train_labels"
        case testLabels = "test_labels"
        case testFraction = "test_fraction"
        case batchSize = "batch_size"
        case xMin = "x_min"
        case xMax = "x_max"
    }
}
