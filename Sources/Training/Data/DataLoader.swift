import Foundation
import TensorWire

/// A loaded dataset: the training split, the held-out test split, and the scaling applied to both.
public struct DatasetSplits: Sendable {
    /// The training split: the whole of it (every worker loads the same one and then takes its shard), or — when
    /// `trainShard` is set — only that shard's rows, decoded alone (`DataLoader.decodesShardOnly`).
    public let train: Dataset
    /// The shard `train` holds when only it was decoded; nil when `train` is the whole split.
    public var trainShard: DataShard? = nil
    /// Rows of the whole training split (also when `train` holds a shard of it).
    public var trainRows: Int
    /// The held-out split, if any.
    public let test: Dataset?
    /// The z-score statistics (from the whole training split) applied to both, if any.
    public let standardization: Standardization?
    /// How a raw example becomes a model row (scaling, statistics, encoding) and the class names: what a served or
    /// exported model needs besides its weights.
    public var preprocessing: Preprocessing

    /// The wide & deep column layout when the data was encoded from categorical columns.
    public var layout: WideDeepConfig? = nil

    /// Features per row.
    public var inputWidth: Int { train.width }
}

/// Loads datasets as a `DataConfig` describes them.
public enum DataLoader {
    /// Reads, splits and scales the data; paths are confined to `dataRoot` (symlinks resolved) and every
    /// file, inflation and decoded dataset is bounded by `budget` before it is allocated.
    /// Every worker calling this with the same config gets the same splits and scaling.
    /// With `shard`, data that needs nothing from the whole split (`decodesShardOnly`) is decoded for that shard alone
    /// (`trainShard` set): a worker of many holds and reserves its rows only, not the whole split.
    /// Without `heldOut`, IDX test files are not decoded (`test` nil; `skipsHeldOut`): for a worker that never evaluates.
    public static func load(_ config: DataConfig, dataRoot: URL, budget: DataBudget = DataBudget(), shard: DataShard? = nil,
                            heldOut: Bool = true) throws -> DatasetSplits {
        try load(config, budget: budget, shard: shard, heldOut: heldOut) { DataFiles(source: .root(try DataRoot(dataRoot)), budget: budget) }
    }

    /// Whether `load` without `heldOut` leaves the test split out for `config`: IDX images with their own test files,
    /// whose labels name no classes the training labels lack (the class count comes from the training split alone),
    /// so the training split and the preprocessing are the same either way. Other formats decode it regardless (a CSV
    /// test file's labels take part in the class names; a test fraction is split from the training rows).
    public static func skipsHeldOut(_ config: DataConfig) -> Bool {
        config.format == .idx && config.test != nil && config.testLabels != nil
    }

    /// Whether `load` decodes a shard alone for `config`: IDX images with their own test files, no z-score statistics
    /// (those come from the whole split), so the shard's rows, the test split, the class count and the preprocessing
    /// are exactly what decoding everything and then sharding gives.
    public static func decodesShardOnly(_ config: DataConfig) -> Bool {
        config.format == .idx && config.test != nil && config.testLabels != nil && config.effectiveNormalization != .standard
    }

    /// Loads from file contents held in memory, keyed by the paths the config names (fuzzing, tests): the same
    /// parsing, budget and path rules as files under a data root.
    public static func load(_ config: DataConfig, contents: [String: [UInt8]], budget: DataBudget = DataBudget(),
                            shard: DataShard? = nil, heldOut: Bool = true) throws -> DatasetSplits {
        try load(config, budget: budget, shard: shard, heldOut: heldOut) { DataFiles(source: .memory(contents), budget: budget) }
    }

    private static func load(
        _ config: DataConfig, budget: DataBudget, shard requested: DataShard?, heldOut: Bool, source: () throws -> DataFiles
    ) throws -> DatasetSplits {
        try config.validate()
        let shard = decodesShardOnly(config) ? requested : nil
        let skipsTest = !heldOut && skipsHeldOut(config)
        var train: Dataset
        var test: Dataset?
        var numericFill: [Float]?
        /// The whole split's row and class counts when only a shard was decoded.
        var whole: (rows: Int, classes: Int?)?
        /// The files, every path checked before any is read (synthetic data needs none).
        func files() throws -> DataFiles {
            let files = try source()
            try files.confine(config.paths)
            return files
        }
        switch config.format {
        case .csv: (train, test, numericFill) = try loadCSV(config, files: files())
        case .idx: (train, test, whole) = try loadIDX(config, files: files(), shard: shard, skipsTest: skipsTest)
        case .libsvm: (train, test) = try loadLibSVM(config, files: files())
        case .tfrecord: (train, test) = try loadTFRecord(config, files: files())
        case .synthetic:
            var synthetic = config.synthetic ?? SyntheticConfig()
            if let limit = config.limit { synthetic.samples = min(synthetic.samples, limit) }
            train = try SyntheticData.generate(synthetic, seed: config.seed, budget: budget)
        }
        let name = config.train ?? "synthetic data"
        // A shard may be empty (more workers than rows: the caller says so); the whole split may not.
        guard (whole?.rows ?? train.count) > 0 else { throw TrainingError(.invalidData, "\(name): no data rows") }
        guard train.width > 0 else { throw TrainingError(.invalidData, "\(name): no feature columns") }
        if let test, test.count == 0 { throw TrainingError(.invalidData, "\(config.test ?? name): no data rows") }
        if test == nil && !skipsTest && config.testFraction > 0 {
            (train, test) = try split(train, testFraction: config.testFraction, seed: config.seed)
        }
        var standardization: Standardization?
        if config.effectiveNormalization == .standard {
            var s = Standardization(fitting: train)
            if let tabular = config.tabular {
                // Only the numeric columns are rescaled; ids stay ids.
                let numeric = tabular.categorical.count..<(tabular.categorical.count + tabular.numeric.count)
                for j in s.mean.indices where !numeric.contains(j) {
                    s.mean[j] = 0
                    s.std[j] = 1
                }
            }
            try s.apply(to: train)
            if let test { try s.apply(to: test) }
            standardization = s
        }
        let preprocessing = Preprocessing(
            features: config.tabular.map { $0.categorical + $0.numeric } ?? train.featureNames, inputWidth: train.width,
            divisor: config.format == .idx ? 255 : nil, standardization: standardization, tabular: config.tabular,
            numericFill: numericFill, classNames: train.classNames, classes: whole.map { $0.classes } ?? train.classCount)
        return DatasetSplits(
            train: train, trainShard: whole == nil ? nil : shard, trainRows: whole?.rows ?? train.count, test: test,
            standardization: standardization, preprocessing: preprocessing, layout: config.tabular?.layout)
    }

    /// Splits by a seeded shuffle of row indices: the last round(count · fraction) shuffled rows are the test split.
    public static func split(_ dataset: Dataset, testFraction: Double, seed: UInt64) throws -> (train: Dataset, test: Dataset?) {
        let n = dataset.count
        let testCount = Int((Double(n) * testFraction).rounded())
        guard testCount > 0 else { return (dataset, nil) }
        guard testCount < n else {
            throw TrainingError(.invalidConfiguration, "test_fraction \(testFraction) leaves no training rows out of \(n)")
        }
        var order = Array(0..<n)
        var rng = SeededGenerator(seed: seed, stream: 0x5350_4C49_54) // "SPLIT"
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        let trainRows = Array(order[..<(n - testCount)])
        let testRows = Array(order[(n - testCount)...])
        return (try dataset.gather(trainRows), try dataset.gather(testRows))
    }

    private static func loadCSV(_ config: DataConfig, files: DataFiles) throws -> (Dataset, Dataset?, numericFill: [Float]?) {
        guard let trainPath = config.train, let label = config.label else { throw TrainingError(.invalidConfiguration, "csv needs train and label") }
        if let tabular = config.tabular { return try loadTabular(config, tabular, trainPath: trainPath, label: label, files: files) }
        let trainTable = try CSVReader.read(files.read(trainPath, key: "data.train"), name: trainPath, label: label,
                                            features: config.features, limit: config.limit, budget: files.budget)
        var testTable: CSVReader.Table?
        if let testPath = config.test {
            let t = try CSVReader.read(files.read(testPath, key: "data.test"), name: testPath, label: label,
                                       features: config.features ?? trainTable.featureNames, budget: files.budget)
            guard t.featureNames == trainTable.featureNames else {
                throw TrainingError(.invalidData, "\(testPath): feature columns differ from \(trainPath)")
            }
            testTable = t
        }
        let encoder = try LabelEncoder(trainTable.labels + (testTable?.labels ?? []), name: trainPath)
        let train = try dataset(trainTable, encoder: encoder, name: trainPath)
        let test = try testTable.map { try dataset($0, encoder: encoder, name: config.test ?? "") }
        return (train, test, nil)
    }

    private static func dataset(_ table: CSVReader.Table, encoder: LabelEncoder, name: String) throws -> Dataset {
        let features = try Tensor(shape: Shape([table.rows, table.featureNames.count]), values: table.values)
        let labels = try Tensor(shape: Shape([table.rows]), values: encoder.encode(table.labels))
        return try Dataset(features: features, labels: labels, featureNames: table.featureNames, classNames: encoder.classNames)
    }

    /// The training and test splits of IDX files; with `shard`, the training split holds that shard's rows alone and
    /// `whole` the whole split's row and class counts (from all of its labels, which are decoded: 4 bytes a row);
    /// without one, `whole` is nil (the split is whole). With `skipsTest`, the test files are neither read nor decoded.
    private static func loadIDX(
        _ config: DataConfig, files: DataFiles, shard: DataShard?, skipsTest: Bool
    ) throws -> (Dataset, Dataset?, whole: (rows: Int, classes: Int?)?) {
        guard let images = config.train, let labels = config.trainLabels else {
            throw TrainingError(.invalidConfiguration, "idx needs train and train_labels")
        }
        let train = try idxDataset(images: (images, "data.train"), labels: (labels, "data.train_labels"), files: files, limit: config.limit, shard: shard)
        var test: Dataset?
        if !skipsTest, let testImages = config.test, let testLabels = config.testLabels {
            test = try idxDataset(images: (testImages, "data.test"), labels: (testLabels, "data.test_labels"), files: files, limit: nil, shard: nil).dataset
            guard test?.width == train.dataset.width else {
                throw TrainingError(.invalidData, "\(testImages): image size differs from \(images)")
            }
        }
        return (train.dataset, test, train.whole)
    }

    private static func idxDataset(images: (path: String, key: String), labels: (path: String, key: String), files: DataFiles,
                                   limit: Int?, shard: DataShard?) throws -> (dataset: Dataset, whole: (rows: Int, classes: Int?)?) {
        let imageBytes = try files.read(images.path, key: images.key)
        let imageCount = min(try IDXReader.header(imageBytes, name: images.path, expectedRank: 3).dims[0], max(limit ?? Int.max, 0))
        let x = try IDXReader.images(imageBytes, name: images.path, limit: limit, budget: files.budget, shard: shard)
        let y = try IDXReader.labels(files.read(labels.path, key: labels.key), name: labels.path, limit: limit, budget: files.budget)
        guard imageCount == y.count else {
            throw TrainingError(.invalidData, "\(images.path) holds \(imageCount) images but \(labels.path) holds \(y.count) labels")
        }
        let names = (0..<x.columns).map { "pixel_\($0)" }
        guard let shard else { return (try Dataset(features: x, labels: y, featureNames: names), nil) }
        let kept = Tensor(zeros: Shape([x.rows]))
        let source = y.baseAddress, target = kept.baseAddress
        for row in 0..<x.rows { target[row] = source[shard.splitRow(row)] }
        return (try Dataset(features: x, labels: kept, featureNames: names), (y.count, Dataset.classCount(labels: y)))
    }
}

/// Maps label text to f32 labels: numbers as they are when every label is numeric, otherwise
/// class ids in sorted order of the distinct strings.
struct LabelEncoder {
    let classNames: [String]?
    private let ids: [String: Int]

    /// Throws when the labels of `name` define more than `DataLimits.maxClasses` classes.
    init(_ labels: [String], name: String) throws {
        if labels.allSatisfy({ Float($0)?.isFinite == true }) {
            classNames = nil
            ids = [:]
        } else {
            let distinct = Set(labels)
            guard distinct.count <= DataLimits.maxClasses else {
                throw TrainingError(.invalidData, "\(name): the label column holds \(distinct.count) distinct values, "
                    + "more than the \(DataLimits.maxClasses) classes allowed")
            }
            let names = Array(distinct).sorted()
            classNames = names
            ids = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        }
    }

    func encode(_ labels: [String]) -> [Float] {
        if classNames == nil { return labels.map { Float($0) ?? 0 } }
        return labels.map { Float(ids[$0] ?? 0) }
    }
}
