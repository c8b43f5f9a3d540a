import TensorWire

/// An in-memory table: features [count, width] and one f32 label per row.
public struct Dataset: Sendable {
    /// Feature rows, [count, width].
    public let features: Tensor
    /// Labels, [count]: class ids for classification (string labels mapped in sorted order), values for regression.
    public let labels: Tensor
    /// Column names (CSV header, `pixel_<i>` for IDX, `x<i>` for synthetic).
    public let featureNames: [String]
    /// Class names in id order when labels were strings; nil for numeric labels.
    public let classNames: [String]?

    /// Creates a dataset; throws unless features has one row per label and a name per column.
    public init(features: Tensor, labels: Tensor, featureNames: [String], classNames: [String]? = nil) throws {
        guard features.shape.rank == 2, labels.count == features.rows, featureNames.count == features.columns else {
            throw TrainingError(.shapeMismatch, "dataset: features \(features.shape), \(labels.count) labels, \(featureNames.count) names")
        }
        self.features = features
        self.labels = labels
        self.featureNames = featureNames
        self.classNames = classNames
    }

    /// Rows.
    public var count: Int { labels.count }

    /// Features per row.
    public var width: Int { features.columns }

    /// Number of classes: the class names, else max label + 1 when all labels are integers in
    /// 0..<`DataLimits.maxClasses`, else nil (regression targets, or ids too large to be classes).
    public var classCount: Int? {
        if let classNames { return classNames.count }
        return Self.classCount(labels: labels)
    }

    /// Classes of numeric class-id `labels`: the largest id + 1; nil when one is not an id below `DataLimits.maxClasses`
    /// or there are none.
    public static func classCount(labels: Tensor) -> Int? {
        var maxLabel = -1
        let values = labels.toArray()
        for v in values {
            guard let id = Int(exactly: v), id >= 0, id < DataLimits.maxClasses else { return nil }
            maxLabel = max(maxLabel, id)
        }
        return values.isEmpty ? nil : maxLabel + 1
    }
}
