import Metrics

/// Counts requests and connections a daemon refused because a limit was reached
/// (`tessera_refused_total{limit}`), so operators see abuse or undersized limits on a dashboard.
public enum RefusalMetrics {
    /// The limit that caused a refusal: the `limit` label's values (the data plane's `RefusalLimit`).
    public typealias Limit = RefusalLimit

    /// Counts one refusal for `limit`.
    public static func record(_ limit: Limit) {
        Counter(label: TesseraMetrics.Name.refusedTotal, dimensions: [("limit", limit.rawValue)], factory: TesseraMetrics.factory).increment()
    }
}
