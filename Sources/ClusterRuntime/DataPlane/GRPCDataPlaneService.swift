import GRPCCore

/// Serves `/tessera.v1.DataPlane/Pull` and `/Push` over gRPC by handing the frames to a `DataPlaneHandler`.
public struct GRPCDataPlaneService: RegistrableRPCService {
    let handler: DataPlaneHandler

    /// Creates the service around the shard's handler.
    public init(handler: DataPlaneHandler) {
        self.handler = handler
    }

    /// Registers Pull and Push with raw-frame (de)serializers.
    public func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        for method in DataPlaneMethod.allCases {
            let handler = self.handler
            router.registerHandler(
                forMethod: DataPlaneDescriptors.descriptor(method),
                deserializer: FrameBytesDeserializer(),
                serializer: FrameBytesSerializer()
            ) { request, context in
                let requestMessage = try await ServerRequest(stream: request).message
                do {
                    let reply = try await handler.handle(method, request: requestMessage)
                    return StreamingServerResponse(single: ServerResponse(message: reply))
                } catch {
                    throw RPCError(failure: error)
                }
            }
        }
    }
}
