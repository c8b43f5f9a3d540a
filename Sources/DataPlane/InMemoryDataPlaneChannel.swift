/// A data-plane channel that hands each request frame straight to a shard's `DataPlaneHandler` in this process: the
/// same frames, checks, long polls and answers as over a socket, without one. A worker's `ParameterClient` and its
/// step loop meet real shards through it in tests and tools; `close()` makes the shard unreachable, as a lost shard is.
public final class InMemoryDataPlaneChannel: DataPlaneChannel {
    /// The shard side that serves the requests.
    public let handler: DataPlaneHandler
    private let closed = LockedValue(false)

    /// A channel to the shard `handler` serves.
    public init(_ handler: DataPlaneHandler) {
        self.handler = handler
    }

    /// Hands the request to the handler and returns its answer frame; the shard's errors arrive as the
    /// `RuntimeFailure` a transport would deliver, DEADLINE_EXCEEDED when no answer came within `timeout`.
    public func exchange(_ method: DataPlaneMethod, request: [UInt8], timeout: Duration) async throws -> [UInt8] {
        guard !closed.value else { throw RuntimeFailure(.unavailable, "the in-memory channel to the shard is closed") }
        let handler = handler
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                do { return try await handler.handle(method, request: request) } catch { throw RuntimeFailure(shardError: error) }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let answer = try await group.next() ?? nil else {
                throw RuntimeFailure(.deadlineExceeded, "the shard did not answer the \(method.rawValue) in time (deadline \(timeout))")
            }
            return answer
        }
    }

    /// Refuses every later exchange with UNAVAILABLE.
    public func close() { closed.value = true }
}
