import ClusterAPI
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// A client of a serving replica's gRPC `tessera.v1.Prediction` service (`clusterctl predict --grpc`, the serving
/// benchmark); failures become `RuntimeFailure`s naming the replica's address.
public final class PredictionClient: Sendable {
    /// The replica's gRPC address.
    public let address: HostPort
    /// Deadline of each call.
    public let timeout: Duration
    private let connection: ManagedClient
    private let stub: Tessera_V1_Prediction.Client<HTTP2ClientTransport.Posix>

    /// Dials the replica (lazily: the first call waits for the connection); `security` carries the prediction token
    /// and, with TLS files, verifies the server against their CA.
    public init(address: HostPort, timeout: Duration = .seconds(10), security: RPCSecurity = .none) throws {
        self.address = address
        self.timeout = timeout
        connection = try ManagedClient(address: address, security: security)
        stub = Tessera_V1_Prediction.Client(wrapping: connection.client)
    }

    /// Closes the connection once in-flight calls end.
    public func close() { connection.close() }

    /// Predictions for `request`'s instances, and the version that answered.
    public func predict(_ request: Tessera_V1_PredictRequest) async throws -> Tessera_V1_PredictResponse {
        do { return try await stub.predict(request, options: callOptions(timeout: timeout)) } catch let error as RPCError {
            // The gRPC transport resets the stream of a message over the server's limit instead of sending a status.
            if error.message.contains("RST_STREAM") {
                throw RuntimeFailure(.resourceExhausted, "\(address) reset the request (\(error.message)): is it over the \(PredictRequest.Limits().maxBodyBytes) bytes a prediction request may have?")
            }
            throw RuntimeFailure(error: error, peer: address, doing: "predict")
        }
    }

    /// The version (job step) `model` answers with.
    public func status(model: String) async throws -> Tessera_V1_ModelStatusResponse {
        do { return try await stub.modelStatus(.with { $0.model = model }, options: callOptions(timeout: timeout)) } catch let error as RPCError {
            throw RuntimeFailure(error: error, peer: address, doing: "ask for the model's status")
        }
    }
}
