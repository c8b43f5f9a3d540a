import GRPCCore

/// The gRPC data plane: serves `/tessera.v1.DataPlane/Pull` and `/Push` by handing the raw frames to
/// the shard's `DataPlaneHandler`, recording each request in its `ShardMetrics`.
public struct MeteredDataPlaneService: RegistrableRPCService {
    let handler: DataPlaneHandler
    let metrics: ShardMetrics

    /// Creates the service around the shard's handler and metrics.
    public init(handler: DataPlaneHandler, metrics: ShardMetrics) {
        self.handler = handler
        self.metrics = metrics
    }

    /// Registers Pull and Push with raw-frame (de)serializers.
    public func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        for method in DataPlaneMethod.allCases {
            let handler = self.handler
            let metrics = self.metrics
            router.registerHandler(
                forMethod: DataPlaneDescriptors.descriptor(method),
                deserializer: FrameBytesDeserializer(),
                serializer: FrameBytesSerializer()
            ) { request, context in
                let requestMessage = try await ServerRequest(stream: request).message
                do {
                    let reply = try await metrics.record(method, request: requestMessage) {
                        try await handler.handle(method, request: requestMessage)
                    }
                    return StreamingServerResponse(single: ServerResponse(message: reply))
                } catch {
                    throw RPCError(failure: error)
                }
            }
        }
    }
}
