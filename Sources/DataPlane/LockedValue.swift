import Synchronization

/// A value shared between tasks, guarded by a mutex.
public final class LockedValue<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    /// Wraps an initial value.
    public init(_ value: Value) { storage = Mutex(value) }

    /// Reads or replaces the whole value.
    public var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }

    /// Mutates the value under the lock and returns what the body returns.
    @discardableResult
    public func withLock<R: Sendable>(_ body: (inout sending Value) throws -> sending R) rethrows -> R {
        try storage.withLock(body)
    }
}
