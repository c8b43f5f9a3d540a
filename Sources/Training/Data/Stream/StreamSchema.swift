import TensorWire

/// What every file of a stream must agree with, fixed by its first file: the feature columns, the class names of text
/// labels, the number of classes, and the z-score statistics. A later file is brought to the same form (labels mapped
/// by name, the same statistics applied), or refused with the reason.
public struct StreamSchema: Sendable {
    /// The feature columns in order.
    public let featureNames: [String]
    /// Class names by id (text labels), nil for numeric labels.
    public let classNames: [String]?
    /// Classes of a classifier; nil for regression.
    public let classes: Int?
    /// The statistics applied to every row (from the first file), nil when not standardised.
    public let standardization: Standardization?

    /// A schema from the first file's columns, labels and statistics.
    public init(featureNames: [String], classNames: [String]?, classes: Int?, standardization: Standardization?) {
        self.featureNames = featureNames
        self.classNames = classNames
        self.classes = classes
        self.standardization = standardization
    }

    /// Features per row.
    public var width: Int { featureNames.count }

    /// `raw` (a file read without scaling) in the schema's form; throws `invalidData` naming `name` and what differs.
    public func conform(_ raw: Dataset, name: String) throws -> Dataset {
        guard raw.width == width else {
            throw TrainingError(.invalidData, "\(name): \(raw.width) feature columns, the stream's first file has \(width)")
        }
        if raw.featureNames != featureNames {
            let differing = zip(raw.featureNames, featureNames).first { $0 != $1 }
            throw TrainingError(.invalidData, "\(name): column \(differing.map { "\"\($0.0)\" where the first file has \"\($0.1)\"" } ?? "names") differ from the stream's first file")
        }
        let labels = try conformLabels(raw, name: name)
        let features = try Tensor(shape: Shape([raw.count, width]), values: raw.features.toArray())
        let dataset = try Dataset(features: features, labels: labels, featureNames: featureNames, classNames: classNames)
        if let standardization { try standardization.apply(to: dataset) }
        return dataset
    }

    private func conformLabels(_ raw: Dataset, name: String) throws -> Tensor {
        var values = raw.labels.toArray()
        if let classNames {
            guard let fileNames = raw.classNames else {
                throw TrainingError(.invalidData, "\(name): numeric labels, the stream's first file has text labels")
            }
            let ids = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, Float($0)) })
            for i in values.indices {
                guard let index = Int(exactly: values[i]), fileNames.indices.contains(index), let id = ids[fileNames[index]] else {
                    let label = Int(exactly: values[i]).flatMap { fileNames.indices.contains($0) ? fileNames[$0] : nil } ?? "?"
                    throw TrainingError(.invalidData, "\(name): label \"\(label.prefix(64))\" is not one of the \(classNames.count) classes of the stream's first file")
                }
                values[i] = id
            }
        } else if raw.classNames != nil {
            throw TrainingError(.invalidData, "\(name): text labels, the stream's first file has numeric labels")
        } else if let classes {
            if let bad = values.first(where: { !(Int(exactly: $0).map { (0..<classes).contains($0) } ?? false) }) {
                throw TrainingError(.invalidData, "\(name): label \(bad) is not a class id in 0..<\(classes) (the model's classes)")
            }
        } else if let bad = values.first(where: { !$0.isFinite }) {
            throw TrainingError(.invalidData, "\(name): label \(bad) is not a finite number")
        }
        return try Tensor(shape: Shape([values.count]), values: values)
    }
}
