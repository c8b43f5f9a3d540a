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

    /// Creates a failure.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
