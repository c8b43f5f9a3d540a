import TensorWire

/// A batch of rows: features [n, width] and labels [n] (class ids, 0/1, or regression targets, as f32).
public struct Batch: Sendable {
    /// Feature rows, [count, width].
    public let features: Tensor
    /// One label per row, [count].
    public let labels: Tensor

    /// Creates a batch; throws unless features has one row per label.
    public init(features: Tensor, labels: Tensor) throws {
        guard features.shape.rank >= 1, labels.count == features.rows else {
            throw TrainingError(.shapeMismatch, "batch: features \(features.shape) with \(labels.count) labels")
        }
        self.features = features
        self.labels = labels
    }

    /// Creates a batch whose shapes the caller already guarantees.
    init(uncheckedFeatures features: Tensor, labels: Tensor) {
        self.features = features
        self.labels = labels
    }

    /// Rows in the batch.
    public var count: Int { labels.count }
}
