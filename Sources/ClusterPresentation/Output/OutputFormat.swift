/// How a clusterctl command prints what it shows (`-o FORMAT`, as kubectl): `table` (the default), `wide` (the table
/// with more columns), `json` (the `--json` contract), `yaml` (the same summaries as YAML) or `name` (one
/// identifier a line, e.g. `job-7`).
public enum OutputFormat: String, CaseIterable, Sendable {
    /// The human table or page.
    case table
    /// The table with more columns (the page for commands that have no wider view).
    case wide
    /// The Codable summary as JSON, byte-identical to `--json`.
    case json
    /// The same summary as YAML.
    case yaml
    /// The identifiers of the objects shown, one a line.
    case name

    /// Whether the output is for programs (json, yaml, name): no progress lines, no hints.
    public var isMachineReadable: Bool { self == .json || self == .yaml || self == .name }
}
