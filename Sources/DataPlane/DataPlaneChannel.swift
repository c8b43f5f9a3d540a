import JobSpec

/// The two data-plane calls; request and response bodies are TensorWire frames.
public enum DataPlaneMethod: String, Sendable, CaseIterable {
    /// Read partitions at a version (long-polls in sync mode).
    case pull = "Pull"
    /// Send gradients for partitions.
    case push = "Push"
}

/// Which transport carries a job's data plane: the job spec's `cluster.transport` word itself (native or grpc).
public typealias DataPlaneKind = DataTransport

/// A connection from a worker to one shard's data plane; the transport behind it is swappable.
public protocol DataPlaneChannel: Sendable {
    /// Sends one encoded request frame and returns the encoded response frame.
    ///
    /// Errors the shard answers with arrive as `RuntimeFailure` with the shard's code and sentence.
    func exchange(_ method: DataPlaneMethod, request: [UInt8], timeout: Duration) async throws -> [UInt8]

    /// Sends a request frame of at most `requestBytes` that `encode` writes in place (returning the bytes it wrote),
    /// and hands the response frame to `decode` where it was received: transports that can skip the
    /// intermediate arrays do (native); the default goes through `exchange(_:request:timeout:)`.
    func exchange<Result>(
        _ method: DataPlaneMethod, requestBytes: Int, encode: (UnsafeMutableRawBufferPointer) throws -> Int,
        timeout: Duration, decode: (UnsafeRawBufferPointer) throws -> Result
    ) async throws -> Result

    /// Closes the connection; in-flight calls finish first.
    func close()

    /// The executor this channel's answers arrive on once it is connected (the native transport: its connection's
    /// event loop), where a task that mostly exchanges over it runs without a thread hop per call; nil: no preference.
    var preferredTaskExecutor: (any TaskExecutor)? { get }
}

extension DataPlaneChannel {
    /// No preference (transports whose answers arrive on threads of their own).
    public var preferredTaskExecutor: (any TaskExecutor)? { nil }

    /// Encodes into an array, exchanges it, and decodes the answer array.
    public func exchange<Result>(
        _ method: DataPlaneMethod, requestBytes: Int, encode: (UnsafeMutableRawBufferPointer) throws -> Int,
        timeout: Duration, decode: (UnsafeRawBufferPointer) throws -> Result
    ) async throws -> Result {
        let request = try [UInt8](unsafeUninitializedCapacity: requestBytes) { out, count in
            count = try encode(UnsafeMutableRawBufferPointer(out))
        }
        let response = try await exchange(method, request: request, timeout: timeout)
        return try response.withUnsafeBytes(decode)
    }
}
