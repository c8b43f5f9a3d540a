/// Renders what a command shows in the chosen `OutputFormat`: the table (or its wide form) from closures, JSON
/// and YAML from the Codable summary, names from `NamedOutput`.
public enum OutputText {
    /// The text to print, or nil for `-o name` when the summary has no names.
    public static func render(
        _ summary: some Encodable, as format: OutputFormat, wide: (() -> String)? = nil, table: () -> String
    ) -> String? {
        switch format {
        case .table: return table()
        case .wide: return wide?() ?? table()
        case .json: return JSONText.render(summary)
        case .yaml: return YAMLText.render(summary)
        case .name:
            guard let named = summary as? any NamedOutput else { return nil }
            return named.outputNames.joined(separator: "\n")
        }
    }
}
