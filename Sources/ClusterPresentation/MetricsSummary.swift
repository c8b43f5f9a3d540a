import ClusterAPI

/// Loss, accuracy and AUC as `--json` prints them: `null` where the task has none; `count` (examples
/// evaluated) only when there are metrics at all.
public struct MetricsSummary: Codable, Equatable, Sendable {
    /// Mean loss; null before the first report.
    @Nullable public var loss: Double?
    /// Accuracy, for tasks that have one.
    @Nullable public var accuracy: Double?
    /// Area under the ROC curve, for binary classification.
    @Nullable public var auc: Double?
    /// Examples the figures cover; absent when there are no metrics.
    public var count: Int64?

    /// The summary of no metrics: every figure null, no count.
    public static let none = MetricsSummary(loss: nil, accuracy: nil, auc: nil, count: nil)

    /// Creates a summary from its figures.
    public init(loss: Double?, accuracy: Double?, auc: Double?, count: Int64?) {
        self.loss = loss
        self.accuracy = accuracy
        self.auc = auc
        self.count = count
    }

    /// The summary of reported metrics.
    public init(_ m: Tessera_V1_Metrics) {
        self.init(loss: m.loss, accuracy: m.hasAccuracy ? m.accuracy : nil, auc: m.hasAuc ? m.auc : nil, count: m.count)
    }
}
