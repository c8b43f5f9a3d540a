import JobSpec

/// The one error type of the Coordinator module: a code, a sentence a person can act on, and where it applies.
public struct CoordinatorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; extensible, compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable name of the code (used in logs and RPC status details).
        public let name: String
        /// Creates a code with a stable name.
        public init(_ name: String) { self.name = name }
        /// The stable name.
        public var description: String { name }

        /// The job spec is malformed or violates a rule; `path` names the field.
        public static let invalidSpec = Code("invalid_spec")
        /// No job has the given id.
        public static let unknownJob = Code("unknown_job")
        /// No node has the given id (it must register again).
        public static let unknownNode = Code("unknown_node")
        /// The node exists but has the wrong role, name or assignment for the request.
        public static let invalidNode = Code("invalid_node")
        /// The request does not fit the job's current state.
        public static let invalidState = Code("invalid_state")
        /// A variable declaration or placement input is invalid.
        public static let invalidVariables = Code("invalid_variables")
        /// A configuration value is out of range.
        public static let invalidConfig = Code("invalid_config")
        /// A job does not fit the memory the shards or workers advertise, or its model passes a size limit.
        public static let resourceExhausted = Code("resource_exhausted")
        /// A worker's report carries an impossible figure (a negative step or sample count, a non-finite rate).
        public static let invalidReport = Code("invalid_report")
        /// A node's call did not carry the secret it was given at registration.
        public static let unauthenticated = Code("unauthenticated")
        /// A node name belongs to another node that is still alive.
        public static let nameTaken = Code("name_taken")
        /// Another operation on the job is in progress (a checkpoint being taken); try again later.
        public static let busy = Code("busy")
        /// The job's shards are being restored from its checkpoint; try again once it runs.
        public static let recovering = Code("recovering")
    }

    /// What kind of failure this is.
    public var code: Code
    /// A sentence a person can act on.
    public var message: String
    /// The dotted path of the offending field in a job spec (`optimizer.learning_rate`), empty when not about a field.
    public var path: String

    /// Creates an error.
    public init(_ code: Code, _ message: String, path: String = "") {
        self.code = code
        self.message = message
        self.path = path
    }

    /// "path: message", or the message alone when there is no path.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

extension CoordinatorError {
    /// A job spec error (`JobSpecParser`, `JobSpec.validate()`) as an `.invalidSpec` error with the field's path.
    public init(_ error: SpecError) {
        self.init(.invalidSpec, error.message, path: error.path)
    }
}
