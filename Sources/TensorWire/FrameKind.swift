/// What a frame is for; byte 6 of the frame header.
public enum FrameKind: UInt8, Sendable, Hashable, CaseIterable {
    /// Ask a shard for variables (entries name them; payloads empty or row keys only).
    case pullRequest = 1
    /// A shard's answer to a pull: the values.
    case pullResponse = 2
    /// Gradients or values sent to a shard.
    case pushRequest = 3
    /// A shard's acknowledgement of a push (entries carry the new versions, payloads empty).
    case pushResponse = 4
    /// A failure: `status` is non-zero and `message` says why.
    case error = 5
    /// Gradients of whole dense partitions, answered with those partitions' values after the apply (one round trip
    /// instead of a push and a pull).
    case pushPullRequest = 6
    /// A shard's answer to a push-and-pull: the push's verdict in `status`/`message`, the values in the entries.
    case pushPullResponse = 7
}
