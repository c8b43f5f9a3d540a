/// Jittered exponential backoff: try n waits a random ½…1 of `min(cap, initial × 2ⁿ⁻¹)`.
public struct OverloadBackoff: Sendable, Hashable {
    /// Wait before the first retry (before jitter).
    public var initial: Duration
    /// Longest wait between two tries (before jitter).
    public var cap: Duration

    /// Creates a policy.
    public init(initial: Duration = .milliseconds(5), cap: Duration = .seconds(1)) {
        self.initial = initial
        self.cap = cap
    }

    /// The wait before retry `attempt` (1, 2, …), jittered by `random` in 0.5 … 1.
    public func delay(attempt: Int, random: Double = Double.random(in: 0.5...1)) -> Duration {
        let doubling = min(max(attempt - 1, 0), 30)
        let base = min(cap, initial * (1 << doubling))
        return base * random
    }
}

/// A worker's channel to one shard, over any transport: retries calls the shard refused for overload
/// (RESOURCE_EXHAUSTED from its `DataPlaneAdmission`) with jittered exponential backoff until the call's
/// deadline — refused requests were never applied, so retrying a push is safe — and marks every failure
/// with the shard it came from (`RuntimeFailure.shard`), so the worker can tell the coordinator in a
/// field, not in prose, that a shard was lost.
public struct ShardChannel: DataPlaneChannel {
    /// The channel that carries the calls.
    public let base: any DataPlaneChannel
    /// The shard's address, for messages.
    public let address: HostPort
    /// The backoff between tries.
    public let backoff: OverloadBackoff

    /// Wraps `base`, a channel to the shard at `address`.
    public init(_ base: any DataPlaneChannel, address: HostPort, backoff: OverloadBackoff = OverloadBackoff()) {
        self.base = base
        self.address = address
        self.backoff = backoff
    }

    /// Sends the frame, retrying overload refusals until `timeout` has passed since the first try.
    public func exchange(_ method: DataPlaneMethod, request: [UInt8], timeout: Duration) async throws -> [UInt8] {
        try await retryingOverload(timeout: timeout) { left in try await base.exchange(method, request: request, timeout: left) }
    }

    /// Runs `attempt` with the time left until `timeout` after the first try, again after a backoff while the shard
    /// refuses with an overload; gives up with RESOURCE_EXHAUSTED naming the shard when the next wait would pass the deadline.
    /// Whatever it throws carries the shard's address.
    func retryingOverload<R>(timeout: Duration, _ attempt: (Duration) async throws -> R) async throws -> R {
        do {
            return try await retrying(timeout: timeout, attempt)
        } catch var failure as RuntimeFailure {
            failure.shard = "\(address)"
            throw failure
        }
    }

    private func retrying<R>(timeout: Duration, _ attempt: (Duration) async throws -> R) async throws -> R {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var tries = 0
        while true {
            do {
                return try await attempt(clock.now.duration(to: deadline))
            } catch let failure as RuntimeFailure where Self.isOverload(failure) {
                tries += 1
                let wait = backoff.delay(attempt: tries)
                guard clock.now.advanced(by: wait) < deadline else {
                    throw RuntimeFailure(
                        .resourceExhausted,
                        "shard \(address) stayed overloaded through \(tries) tries within the \(timeout) deadline: \(failure.message)")
                }
                try await Task.sleep(for: wait)
            }
        }
    }

    /// Closes the underlying channel.
    public func close() { base.close() }

    /// The underlying channel's preference.
    public var preferredTaskExecutor: (any TaskExecutor)? { base.preferredTaskExecutor }

    /// True for the RESOURCE_EXHAUSTED a shard's admission control answers (not for oversized frames).
    public static func isOverload(_ failure: RuntimeFailure) -> Bool {
        failure.code == .resourceExhausted && failure.message.contains(DataPlaneAdmission.overloadMarker)
    }
}
