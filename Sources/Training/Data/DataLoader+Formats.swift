import Foundation
import TensorWire

extension DataLoader {
    /// CSV with categorical columns: text cells hashed/imputed by `TabularEncoder`.
    static func loadTabular(_ config: DataConfig, _ columns: TabularColumns, trainPath: String, label: String, root: URL)
        throws -> (Dataset, Dataset?)
    {
        let names = columns.featureNames
        func table(_ path: String, limit: Int?) throws -> (values: [Float], labels: [String], rows: Int) {
            let text = try CSVReader.readText(FileSource.read(path, root: root), name: path, limit: limit)
            return try TabularEncoder.encode(text, name: path, label: label, columns: columns)
        }
        let train = try table(trainPath, limit: config.limit)
        let test = try config.test.map { try table($0, limit: nil) }
        let encoder = LabelEncoder(train.labels + (test?.labels ?? []))
        func dataset(_ t: (values: [Float], labels: [String], rows: Int)) throws -> Dataset {
            let features = try Tensor(shape: Shape([t.rows, names.count]), values: t.values)
            let labels = try Tensor(shape: Shape([t.rows]), values: encoder.encode(t.labels))
            return try Dataset(features: features, labels: labels, featureNames: names, classNames: encoder.classNames)
        }
        return (try dataset(train), try test.map(dataset))
    }

    /// LibSVM files; labels −1/+1 become 0/1.
    static func loadLibSVM(_ config: DataConfig, root: URL) throws -> (Dataset, Dataset?) {
        guard let trainPath = config.train else { throw TrainingError(.invalidConfiguration, "libsvm needs data.train") }
        let train = try LibSVMReader.read(FileSource.read(trainPath, root: root), name: trainPath, width: config.featureCount,
                                          limit: config.limit)
        let test = try config.test.map {
            try LibSVMReader.read(FileSource.read($0, root: root), name: $0, width: config.featureCount ?? train.width)
        }
        let signed = Set(train.labels + (test?.labels ?? [])).isSubset(of: [-1, 1])
        func dataset(_ t: LibSVMReader.Table) throws -> Dataset {
            let labels = signed ? t.labels.map { $0 > 0 ? Float(1) : 0 } : t.labels
            return try Dataset(features: Tensor(shape: Shape([t.rows, t.width]), values: t.values),
                               labels: Tensor(shape: Shape([t.rows]), values: labels),
                               featureNames: (1...t.width).map { "f\($0)" })
        }
        return (try dataset(train), try test.map(dataset))
    }

    /// TFRecord files of tf.train.Example: the label feature (data.label, default "label") and the
    /// numeric features (data.features, else every other key in sorted order) concatenated per row.
    static func loadTFRecord(_ config: DataConfig, root: URL) throws -> (Dataset, Dataset?) {
        guard let trainPath = config.train else { throw TrainingError(.invalidConfiguration, "tfrecord needs data.train") }
        let label = config.label ?? "label"
        let train = try tfrecordDataset(trainPath, root: root, label: label, features: config.features, limit: config.limit)
        let test = try config.test.map {
            try tfrecordDataset($0, root: root, label: label, features: train.featureKeys, limit: nil, width: train.dataset.width)
        }
        return (train.dataset, test?.dataset)
    }

    private static func tfrecordDataset(_ path: String, root: URL, label: String, features: [String]?, limit: Int?, width: Int? = nil)
        throws -> (dataset: Dataset, featureKeys: [String])
    {
        let records = try TFRecord.records(FileSource.read(path, root: root), name: path)
        var keys = features
        var rowWidth = width
        var values: [Float] = []
        var labels: [Float] = []
        var names: [String] = []
        for (i, record) in records.enumerated() {
            if let limit, i >= limit { break }
            let example: [String: ExampleFeature]
            do { example = try ExampleProto.decode(record) } catch let e as TrainingError {
                throw TrainingError(.invalidData, "\(path): record \(i): \(e.message)")
            }
            guard let y = example[label]?.floatValues, y.count == 1 else {
                throw TrainingError(.invalidData, "\(path): record \(i): label feature '\(label)' missing or not one number")
            }
            let use = keys ?? example.keys.filter { $0 != label }.sorted()
            keys = use
            let start = values.count
            for key in use {
                guard let v = example[key]?.floatValues else {
                    throw TrainingError(.invalidData, "\(path): record \(i): feature '\(key)' is missing or not numeric")
                }
                values += v
                if i == 0 { names += v.count == 1 ? [key] : (0..<v.count).map { "\(key)_\($0)" } }
            }
            let w = values.count - start
            if rowWidth == nil { rowWidth = w }
            guard w == rowWidth else {
                throw TrainingError(.invalidData, "\(path): record \(i): \(w) feature values, expected \(rowWidth ?? 0)")
            }
            labels.append(y[0])
        }
        guard let w = rowWidth, !labels.isEmpty, w > 0 else { throw TrainingError(.invalidData, "\(path): no examples with features") }
        if names.count != w { names = (0..<w).map { "f\($0)" } }
        let dataset = try Dataset(features: Tensor(shape: Shape([labels.count, w]), values: values),
                                  labels: Tensor(shape: Shape([labels.count]), values: labels), featureNames: names)
        return (dataset, keys ?? [])
    }
}
