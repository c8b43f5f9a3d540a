/// The error type of ClusterRuntime: a code that maps to a gRPC status, and a sentence for people.
public struct RuntimeFailure: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; mirrors the gRPC status codes the runtime uses.
    public enum Code: String, Sendable {
        case invalidArgument, notFound, alreadyExists, failedPrecondition, resourceExhausted
        case unavailable, deadlineExceeded, cancelled, unauthenticated, unimplemented, outOfRange, aborted, dataLoss, internalError
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence naming the problem.
    public var message: String
    /// The data-plane address of the shard the failure came from, when it came from one.
    public var shard: String?

    /// The shard, when this failure means the shard is lost to the job — unreachable, too slow, or
    /// without the job's state (restarted, rolled back to a checkpoint) — as opposed to a request the
    /// shard refused on its merits (bad shape, NaN, token): the coordinator recovers the first kind.
    public var lostShard: String? {
        switch code {
        case .unavailable, .deadlineExceeded, .notFound, .failedPrecondition, .dataLoss, .cancelled: shard
        default: nil
        }
    }

    /// Creates a failure.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
