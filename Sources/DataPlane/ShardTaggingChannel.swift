/// A channel that marks every failure with the shard it came from (`RuntimeFailure.shard`), so a
/// worker can tell the coordinator in a field, not in prose, that a shard was lost.
public struct ShardTaggingChannel: DataPlaneChannel {
    /// The channel that does the work.
    public let base: any DataPlaneChannel
    /// The shard's data-plane address.
    public let address: HostPort

    /// Wraps `base`, the channel to the shard at `address`.
    public init(_ base: any DataPlaneChannel, address: HostPort) {
        self.base = base
        self.address = address
    }

    /// `base.exchange`, its failures tagged with the shard.
    public func exchange(_ method: DataPlaneMethod, request: [UInt8], timeout: Duration) async throws -> [UInt8] {
        try await tagging { try await base.exchange(method, request: request, timeout: timeout) }
    }

    /// `base`'s in-place exchange, its failures tagged with the shard.
    public func exchange<Result>(
        _ method: DataPlaneMethod, requestBytes: Int, encode: (UnsafeMutableRawBufferPointer) throws -> Int,
        timeout: Duration, decode: (UnsafeRawBufferPointer) throws -> Result
    ) async throws -> Result {
        try await tagging { try await base.exchange(method, requestBytes: requestBytes, encode: encode, timeout: timeout, decode: decode) }
    }

    /// Runs `call`, setting `shard` on the `RuntimeFailure` it throws.
    private func tagging<R>(_ call: () async throws -> R) async throws -> R {
        do {
            return try await call()
        } catch var failure as RuntimeFailure {
            failure.shard = "\(address)"
            throw failure
        }
    }

    /// Closes the base channel.
    public func close() { base.close() }
}
