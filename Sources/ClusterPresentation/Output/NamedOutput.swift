/// A summary with identifiers for `-o name`: a job's id, a node's or variable's name, a file.
public protocol NamedOutput {
    /// The identifiers `-o name` prints, one a line.
    var outputNames: [String] { get }
}

extension Array: NamedOutput where Element: NamedOutput {
    /// Every element's identifiers, in order.
    public var outputNames: [String] { flatMap(\.outputNames) }
}

extension JobSummary: NamedOutput {
    /// The job's id ("job-7").
    public var outputNames: [String] { [id] }
}

extension NodeSummary: NamedOutput {
    /// The node's name.
    public var outputNames: [String] { [name] }
}

extension ClusterSummary: NamedOutput {
    /// The names of the cluster's nodes.
    public var outputNames: [String] { nodes.map(\.name) }
}

extension CheckpointSummary: NamedOutput {
    /// The checkpoint's manifest file.
    public var outputNames: [String] { [manifest] }
}

extension ExportSummary: NamedOutput {
    /// The file written.
    public var outputNames: [String] { [file] }
}

extension VariableValues: NamedOutput {
    /// The variable's name.
    public var outputNames: [String] { [name] }
}
