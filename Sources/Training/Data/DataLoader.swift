import Foundation
import TensorWire

/// A loaded dataset: the training split, the held-out test split, and the scaling applied to both.
public struct DatasetSplits: Sendable {
    /// The whole training split (every worker loads the same one and then takes its shard).
    public let train: Dataset
    /// The held-out split, if any.
    public let test: Dataset?
    /// The z-score statistics (from the whole training split) applied to both, if any.
    public let standardization: Standardization?

    /// The wide & deep column layout when the data was encoded from categorical columns.
    public var layout: WideDeepConfig? = nil

    /// Features per row.
    public var inputWidth: Int { train.width }
}

/// Loads datasets as a `DataConfig` describes them.
public enum DataLoader {
    /// Reads, splits and scales the data; relative paths resolve against `dataRoot`.
    /// Every worker calling this with the same config gets the same splits and scaling.
    public static func load(_ config: DataConfig, dataRoot: URL) throws -> DatasetSplits {
        try config.validate()
        var train: Dataset
        var test: Dataset?
        switch config.format {
        case .csv:
            (train, test) = try loadCSV(config, root: dataRoot)
        case .idx:
            (train, test) = try loadIDX(config, root: dataRoot)
        case .synthetic:
            train = try SyntheticData.generate(config.synthetic ?? SyntheticConfig(), seed: config.seed)
            if let limit = config.limit { train = try train.prefix(limit) }
        case .libsvm:
            (train, test) = try loadLibSVM(config, root: dataRoot)
        case .tfrecord:
            (train, test) = try loadTFRecord(config, root: dataRoot)
        }
        if test == nil && config.testFraction > 0 {
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
        return DatasetSplits(train: train, test: test, standardization: standardization, layout: config.tabular?.layout)
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

    private static func loadCSV(_ config: DataConfig, root: URL) throws -> (Dataset, Dataset?) {
        guard let trainPath = config.train, let label = config.label else { throw TrainingError(.invalidConfiguration, "csv needs train and label") }
        if let tabular = config.tabular { return try loadTabular(config, tabular, trainPath: trainPath, label: label, root: root) }
        let trainTable = try CSVReader.read(FileSource.read(trainPath, root: root), name: trainPath, label: label,
                                            features: config.features, limit: config.limit)
        var testTable: CSVReader.Table?
        if let testPath = config.test {
            let t = try CSVReader.read(FileSource.read(testPath, root: root), name: testPath, label: label,
                                       features: config.features ?? trainTable.featureNames)
            guard t.featureNames == trainTable.featureNames else {
                throw TrainingError(.invalidData, "\(testPath): feature columns differ from \(trainPath)")
            }
            testTable = t
        }
        let encoder = LabelEncoder(trainTable.labels + (testTable?.labels ?? []))
        let train = try dataset(trainTable, encoder: encoder, name: trainPath)
        let test = try testTable.map { try dataset($0, encoder: encoder, name: config.test ?? "") }
        return (train, test)
    }

    private static func dataset(_ table: CSVReader.Table, encoder: LabelEncoder, name: String) throws -> Dataset {
        let features = try Tensor(shape: Shape([table.rows, table.featureNames.count]), values: table.values)
        let labels = try Tensor(shape: Shape([table.rows]), values: encoder.encode(table.labels))
        return try Dataset(features: features, labels: labels, featureNames: table.featureNames, classNames: encoder.classNames)
    }

    private static func loadIDX(_ config: DataConfig, root: URL) throws -> (Dataset, Dataset?) {
        guard let images = config.train, let labels = config.trainLabels else {
            throw TrainingError(.invalidConfiguration, "idx needs train and train_labels")
        }
        let train = try idxDataset(images: images, labels: labels, root: root, limit: config.limit)
        var test: Dataset?
        if let testImages = config.test, let testLabels = config.testLabels {
            test = try idxDataset(images: testImages, labels: testLabels, root: root, limit: nil)
            guard test?.width == train.width else {
                throw TrainingError(.invalidData, "\(testImages): image size differs from \(images)")
            }
        }
        return (train, test)
    }

    private static func idxDataset(images: String, labels: String, root: URL, limit: Int?) throws -> Dataset {
        let x = try IDXReader.images(FileSource.read(images, root: root), name: images, limit: limit)
        let y = try IDXReader.labels(FileSource.read(labels, root: root), name: labels, limit: limit)
        guard x.rows == y.count else {
            throw TrainingError(.invalidData, "\(images) holds \(x.rows) images but \(labels) holds \(y.count) labels")
        }
        return try Dataset(features: x, labels: y, featureNames: (0..<x.columns).map { "pixel_\($0)" })
    }
}

/// Maps label text to f32 labels: numbers as they are when every label is numeric, otherwise
/// class ids in sorted order of the distinct strings.
struct LabelEncoder {
    let classNames: [String]?
    private let ids: [String: Int]

    init(_ labels: [String]) {
        if labels.allSatisfy({ Float($0)?.isFinite == true }) {
            classNames = nil
            ids = [:]
        } else {
            let names = Array(Set(labels)).sorted()
            classNames = names
            ids = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        }
    }

    func encode(_ labels: [String]) -> [Float] {
        if classNames == nil { return labels.map { Float($0) ?? 0 } }
        return labels.map { Float(ids[$0] ?? 0) }
    }
}
