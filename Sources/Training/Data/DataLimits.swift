/// Named bounds every reader applies to what a data file declares, on top of the worker's `DataBudget`.
public enum DataLimits {
    /// Features per row any format may produce (IDX pixels, CSV columns, LibSVM indices, TFRecord values).
    public static let maxFeatures = 1 << 20
    /// Columns in a CSV header line.
    public static let maxColumns = 1 << 16
    /// Bytes in one line of a text format (CSV, LibSVM).
    public static let maxLineBytes = 1 << 24
    /// Distinct classes a label column may define (string labels, or the largest integer label + 1).
    public static let maxClasses = 1 << 16
}
