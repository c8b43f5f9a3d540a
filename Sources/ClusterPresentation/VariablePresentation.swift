import ClusterRuntime
import Foundation

/// The `clusterctl pull` table.
public enum VariablePresentation {
    /// Rows VARIABLE, SHAPE, VALUES with at most `limit` values each ("…" when there are more).
    public static func table(_ variables: [VariableReader.Variable], limit: Int) -> TableRenderer {
        TableRenderer(header: ["VARIABLE", "SHAPE", "VALUES"], rows: variables.map { v in
            let shown = v.values.prefix(max(0, limit)).map { String(format: "%.4f", $0) }.joined(separator: " ")
            return [v.name, v.shape.description, shown + (v.values.count > limit ? " …" : "")]
        })
    }
}
