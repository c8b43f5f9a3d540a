/// A failure of the coordinator's durable store, with a sentence naming the file and the problem.
public struct CoordinatorStoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
