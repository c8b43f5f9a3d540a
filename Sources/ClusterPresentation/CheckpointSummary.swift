import ClusterAPI

/// What `checkpoint --json` prints: the checkpoint just taken.
public struct CheckpointSummary: Codable, Equatable, Sendable {
    /// The job as the user named it on the command line ("7" or "job-7").
    public var job: String
    /// The step it holds.
    public var version: UInt64
    /// Its manifest file.
    public var manifest: String
    /// Shard files written.
    public var files: Int32
    /// Bytes written.
    public var bytes: Int64

    /// The summary of the coordinator's answer for `job`.
    public init(job: String, _ answer: Tessera_V1_CheckpointJobResponse) {
        self.job = job
        version = answer.version
        manifest = answer.manifest
        files = answer.files
        bytes = answer.bytes
    }
}
