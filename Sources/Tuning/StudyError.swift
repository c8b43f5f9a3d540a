/// A request a study's state cannot take (an unknown trial, a report for a finished one, a value outside its bounds).
public struct StudyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A sentence a person can act on.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
