import GRPCCore

/// The gRPC data-plane transport: TensorWire frames as the bodies of unary gRPC calls.
public final class GRPCDataPlaneChannel: DataPlaneChannel {
    private let connection: ManagedClient

    /// Dials a shard's data-plane address (with the node's token and TLS, if any).
    public init(address: HostPort, security: RPCSecurity = .none) throws {
        connection = try ManagedClient(address: address, security: security)
    }

    /// Sends one frame and waits for the answer, translating gRPC errors into `RuntimeFailure`.
    public func exchange(_ method: DataPlaneMethod, request: [UInt8], timeout: Duration) async throws -> [UInt8] {
        do {
            return try await connection.client.unary(
                request: ClientRequest(message: request),
                descriptor: DataPlaneDescriptors.descriptor(method),
                serializer: FrameBytesSerializer(),
                deserializer: FrameBytesDeserializer(),
                options: callOptions(timeout: timeout)
            ) { response in try response.message }
        } catch let error as RPCError {
            throw RuntimeFailure(error: error, peer: connection.address)
        }
    }

    /// Closes the connection.
    public func close() { connection.close() }
}
