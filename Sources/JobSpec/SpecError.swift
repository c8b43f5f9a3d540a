/// The one error type of the JobSpec module: a job spec that breaks a rule or a bound, with the field's dotted path.
///
/// Thrown by `JobSpecParser.parse(yaml:)` and `JobSpec.validate()`; the coordinator carries it on as an
/// `invalid_spec` error and the runtime answers it with INVALID_ARGUMENT.
public struct SpecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A sentence a person can act on (it names the bound when one refused the value).
    public var message: String
    /// The dotted path of the offending field (`optimizer.learning_rate`), empty when about the whole document.
    public var path: String

    /// Creates an error at `path`.
    public init(_ message: String, path: String = "") {
        self.message = message
        self.path = path
    }

    /// "path: message", or the message alone when there is no path.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    /// A job spec error at a path.
    static func spec(_ path: String, _ message: String) -> SpecError { SpecError(message, path: path) }
}
