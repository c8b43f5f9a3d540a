/// Identifies one partition of one variable within a job: (variable id, partition index).
public struct PartitionKey: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The variable's id within its job.
    public var variableID: UInt32
    /// The partition index (0 for a whole variable).
    public var partition: UInt32

    /// Creates a key.
    public init(variableID: UInt32, partition: UInt32) {
        self.variableID = variableID
        self.partition = partition
    }

    /// Orders by variable id, then partition.
    public static func < (a: PartitionKey, b: PartitionKey) -> Bool {
        (a.variableID, a.partition) < (b.variableID, b.partition)
    }

    /// "3/1".
    public var description: String { "\(variableID)/\(partition)" }
}
