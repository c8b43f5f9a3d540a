extension ShardChannel {
    /// Exchanges with in-place encoding and decoding through the base channel, retrying overload
    /// refusals like `exchange(_:request:timeout:)` does (each try encodes the request again).
    public func exchange<Result>(
        _ method: DataPlaneMethod, requestBytes: Int, encode: (UnsafeMutableRawBufferPointer) throws -> Int,
        timeout: Duration, decode: (UnsafeRawBufferPointer) throws -> Result
    ) async throws -> Result {
        try await retryingOverload(timeout: timeout) { left in
            try await base.exchange(method, requestBytes: requestBytes, encode: encode, timeout: left, decode: decode)
        }
    }
}
