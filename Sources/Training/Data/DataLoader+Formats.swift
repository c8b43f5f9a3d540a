import Foundation
import TensorWire

extension DataLoader {
    /// CSV with categorical columns: text cells hashed/imputed by `TabularEncoder`.
    static func loadTabular(_ config: DataConfig, _ columns: TabularColumns, trainPath: String, label: String, files: DataFiles)
        throws -> (Dataset, Dataset?, numericFill: [Float]?)
    {
        let names = columns.featureNames
        func table(_ path: String, key: String, limit: Int?) throws -> (values: [Float], labels: [String], rows: Int, numericMeans: [Float]) {
            let text = try CSVReader.readText(files.read(path, key: key), name: path, limit: limit, budget: files.budget)
            return try TabularEncoder.encode(text, name: path, label: label, columns: columns, budget: files.budget)
        }
        let train = try table(trainPath, key: "data.train", limit: config.limit)
        let test = try config.test.map { try table($0, key: "data.test", limit: nil) }
        let encoder = try LabelEncoder(train.labels + (test?.labels ?? []), name: trainPath)
        func dataset(_ t: (values: [Float], labels: [String], rows: Int, numericMeans: [Float])) throws -> Dataset {
            let features = try Tensor(shape: Shape([t.rows, names.count]), values: t.values)
            let labels = try Tensor(shape: Shape([t.rows]), values: encoder.encode(t.labels))
            return try Dataset(features: features, labels: labels, featureNames: names, classNames: encoder.classNames)
        }
        return (try dataset(train), try test.map(dataset), train.numericMeans)
    }

    /// LibSVM files; labels −1/+1 become 0/1.
    static func loadLibSVM(_ config: DataConfig, files: DataFiles) throws -> (Dataset, Dataset?) {
        guard let trainPath = config.train else { throw TrainingError(.invalidConfiguration, "libsvm needs data.train") }
        let train = try LibSVMReader.read(files.read(trainPath, key: "data.train"), name: trainPath, width: config.featureCount,
                                          limit: config.limit, budget: files.budget)
        let test = try config.test.map {
            try LibSVMReader.read(files.read($0, key: "data.test"), name: $0, width: config.featureCount ?? train.width, budget: files.budget)
        }
        let signed = Set(train.labels + (test?.labels ?? [])).isSubset(of: [-1, 1])
        func dataset(_ t: LibSVMReader.Table) throws -> Dataset {
            let labels = signed ? t.labels.map { $0 > 0 ? Float(1) : 0 } : t.labels
            return try Dataset(features: Tensor(shape: Shape([t.rows, t.width]), values: t.values),
                               labels: Tensor(shape: Shape([t.rows]), values: labels),
                               featureNames: (0..<t.width).map { "f\($0 + 1)" })
        }
        return (try dataset(train), try test.map(dataset))
    }

    /// TFRecord files of tf.train.Example: the label feature (data.label, default "label") and the
    /// numeric features (data.features, else every other key in sorted order) concatenated per row.
    static func loadTFRecord(_ config: DataConfig, files: DataFiles) throws -> (Dataset, Dataset?) {
        guard let trainPath = config.train else { throw TrainingError(.invalidConfiguration, "tfrecord needs data.train") }
        let label = config.label ?? "label"
        let train = try tfrecordDataset(files.read(trainPath, key: "data.train"), name: trainPath, label: label, features: config.features,
                                        limit: config.limit, budget: files.budget)
        let test = try config.test.map {
            try tfrecordDataset(files.read($0, key: "data.test"), name: $0, label: label, features: config.features ?? train.featureKeys,
                                limit: nil, width: train.dataset.width, budget: files.budget, keysFromSpec: config.features != nil)
        }
        return (train.dataset, test?.dataset)
    }

    /// Rows of a TFRecord file's bytes; `keysFromSpec` says whether feature names in errors came from the job spec
    /// (else they were read from the file and are not echoed: errors never carry file contents).
    static func tfrecordDataset(_ bytes: [UInt8], name path: String, label: String, features: [String]?, limit: Int?, width: Int? = nil,
                                budget: DataBudget, keysFromSpec: Bool = true) throws -> (dataset: Dataset, featureKeys: [String])
    {
        let records = try TFRecord.records(bytes, name: path)
        let rows = min(records.count, max(limit ?? Int.max, 0))
        var keys = features
        var echoKeys = keysFromSpec && features != nil
        var rowWidth = width
        var values: [Float] = []
        var labels: [Float] = []
        var names: [String] = []
        for (i, record) in records.prefix(rows).enumerated() {
            let example: [String: ExampleFeature]
            do { example = try ExampleProto.decode(record) } catch let e as TrainingError {
                throw TrainingError(.invalidData, "\(path): record \(i): \(e.message)")
            }
            guard let y = example[label]?.floatValues, y.count == 1 else {
                throw TrainingError(.invalidData, "\(path): record \(i): label feature '\(label)' missing or not one number")
            }
            let use = keys ?? example.keys.filter { $0 != label }.sorted()
            if keys == nil { echoKeys = false }
            keys = use
            let start = values.count
            for (k, key) in use.enumerated() {
                guard let v = example[key]?.floatValues else {
                    let which = echoKeys ? "'\(key)'" : "#\(k + 1) of the \(use.count) in record 0"
                    throw TrainingError(.invalidData, "\(path): record \(i): feature \(which) is missing or not numeric")
                }
                guard v.count <= DataLimits.maxFeatures - (values.count - start) else {
                    throw TrainingError(.invalidData, "\(path): record \(i): more than \(DataLimits.maxFeatures) feature values (the limit)")
                }
                values += v
                if i == 0 { names += v.count == 1 ? [key] : (0..<v.count).map { "\(key)_\($0)" } }
            }
            let w = values.count - start
            if rowWidth == nil { rowWidth = w }
            guard w == rowWidth else {
                throw TrainingError(.invalidData, "\(path): record \(i): \(w) feature values, expected \(rowWidth ?? 0)")
            }
            if i == 0 {
                try budget.reserve(rows, bytesEach: 4 * (w + 1), for: "\(path): \(rows) records × \(w) features × 4 bytes")
                values.reserveCapacity(rows * w)
                labels.reserveCapacity(rows)
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
