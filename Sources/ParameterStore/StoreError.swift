/// The one error type of ParameterStore: a code a caller can switch on and a sentence a person can act on.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; the network layer maps each code to an RPC status in one table.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case notFound, alreadyExists, invalidArgument, nonFinite, futureVersion
            case failedPrecondition, resourceExhausted, deadlineExceeded, cancelled
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// Unknown job, variable, partition or slot.
        public static let notFound = Code(.notFound)
        /// A job with the same id but a different definition already exists.
        public static let alreadyExists = Code(.alreadyExists)
        /// Bad input: shape, dtype, element count or configuration mismatch.
        public static let invalidArgument = Code(.invalidArgument)
        /// A gradient (or loaded value) contained NaN or Inf.
        public static let nonFinite = Code(.nonFinite)
        /// A push was tagged with a version the shard has not reached yet.
        public static let futureVersion = Code(.futureVersion)
        /// The operation does not fit the job's state or mode (e.g. effective replicas on an async job).
        public static let failedPrecondition = Code(.failedPrecondition)
        /// The shard's memory limit would be exceeded.
        public static let resourceExhausted = Code(.resourceExhausted)
        /// A long-poll timed out before the version it waited for existed.
        public static let deadlineExceeded = Code(.deadlineExceeded)
        /// The job was dropped or the waiting task was cancelled.
        public static let cancelled = Code(.cancelled)

        /// The code's name, e.g. "notFound".
        public var description: String {
            switch wrapped {
            case .notFound: "notFound"
            case .alreadyExists: "alreadyExists"
            case .invalidArgument: "invalidArgument"
            case .nonFinite: "nonFinite"
            case .futureVersion: "futureVersion"
            case .failedPrecondition: "failedPrecondition"
            case .resourceExhausted: "resourceExhausted"
            case .deadlineExceeded: "deadlineExceeded"
            case .cancelled: "cancelled"
            }
        }
    }

    /// The failure's kind.
    public var code: Code
    /// A sentence naming the job, the variable and the problem.
    public var message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// "invalidArgument: job 7, variable dense_0/kernel …".
    public var description: String { "\(code): \(message)" }
}
