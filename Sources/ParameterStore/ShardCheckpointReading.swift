/// A checkpoint read one partition at a time (from a file), so a restore never holds every partition at once.
public protocol ShardCheckpointReading: Sendable {
    /// The job the checkpoint was taken of.
    var jobID: UInt64 { get }
    /// The version it was taken at.
    var version: UInt64 { get }
    /// How many partitions it holds.
    var partitionCount: Int { get }
    /// Partition `index` (0..<partitionCount), read anew on every call.
    func partition(_ index: Int) throws -> ShardCheckpoint.Partition
}
