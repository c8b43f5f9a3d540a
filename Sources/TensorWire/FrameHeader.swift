/// The frame-level fields: what the frame is, which request and job it belongs to, and its status.
public struct FrameHeader: Sendable, Hashable {
    /// What the frame is for.
    public var kind: FrameKind
    /// Correlates a response with its request.
    public var requestID: UInt64
    /// The training job the frame belongs to.
    public var jobID: UInt64
    /// The sending process (worker or shard index).
    public var senderID: UInt32
    /// 0 = ok; otherwise an application status code explained by `message`.
    public var status: UInt32
    /// Short UTF-8 text, usually error details; encoding truncates it to 4096 bytes.
    public var message: String

    /// Creates a frame header.
    public init(
        kind: FrameKind, requestID: UInt64, jobID: UInt64, senderID: UInt32 = 0,
        status: UInt32 = 0, message: String = ""
    ) {
        self.kind = kind
        self.requestID = requestID
        self.jobID = jobID
        self.senderID = senderID
        self.status = status
        self.message = message
    }
}
