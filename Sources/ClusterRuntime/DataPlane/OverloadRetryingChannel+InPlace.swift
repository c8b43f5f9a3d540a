extension OverloadRetryingChannel {
    /// Exchanges with in-place encoding and decoding through the base channel, retrying overload
    /// refusals like `exchange(_:request:timeout:)` does (each try encodes the request again).
    public func exchange<Result>(
        _ method: DataPlaneMethod, requestBytes: Int, encode: (UnsafeMutableRawBufferPointer) throws -> Int,
        timeout: Duration, decode: (UnsafeRawBufferPointer) throws -> Result
    ) async throws -> Result {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var attempt = 0
        while true {
            do {
                return try await base.exchange(
                    method, requestBytes: requestBytes, encode: encode, timeout: clock.now.duration(to: deadline), decode: decode)
            } catch let failure as RuntimeFailure where Self.isOverload(failure) {
                attempt += 1
                let wait = backoff.delay(attempt: attempt)
                guard clock.now.advanced(by: wait) < deadline else {
                    throw RuntimeFailure(
                        .resourceExhausted,
                        "shard \(address) stayed overloaded through \(attempt) tries within the \(timeout) deadline: \(failure.message)")
                }
                try await Task.sleep(for: wait)
            }
        }
    }
}
