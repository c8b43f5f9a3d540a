/// The one error type of the Training module: a code, a sentence for people, and an optional cause.
public struct TrainingError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; extensible, compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A configuration value is missing or out of range.
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// Input data (a file, a record, a cell) is malformed.
        public static let invalidData = Code("invalidData")
        /// Tensor shapes or buffer sizes do not agree.
        public static let shapeMismatch = Code("shapeMismatch")
        /// A file could not be read.
        public static let io = Code("io")
        /// Input would need more memory than the configured budget allows (e.g. `--max-data-bytes`).
        public static let resourceExhausted = Code("resourceExhausted")
        /// The requested feature is not available in this build or backend.
        public static let unsupported = Code("unsupported")

        /// The code's name.
        public var description: String { name }
    }

    /// The failure kind.
    public var code: Code
    /// What went wrong, naming the file / record / variable involved.
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// "invalidData: mnist/train.gz: record 3: …".
    public var description: String {
        if let cause { return "\(code): \(message) (cause: \(cause))" }
        return "\(code): \(message)"
    }
}
