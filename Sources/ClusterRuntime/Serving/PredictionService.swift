import ClusterAPI
import GRPCCore

/// The gRPC `tessera.v1.Prediction` service over a `PredictionAPI`: the same models, limits and sentences as the TF
/// Serving REST interface beside it — an unknown model is NOT_FOUND naming the served ones, a bad instance
/// INVALID_ARGUMENT naming it, a request over the limits RESOURCE_EXHAUSTED. The bearer token is the server's
/// interceptor's to check (`PredictionGRPCServer`), as on every Tessera gRPC server.
public struct PredictionService: Tessera_V1_Prediction.SimpleServiceProtocol {
    /// The models answered and the request limits.
    public let api: PredictionAPI

    /// The service of `api`'s models.
    public init(api: PredictionAPI) { self.api = api }

    /// Answers a `Predict` request without a transport: the model looked up, its instances converted within the
    /// limits, the predictor's rows and the version that answered.
    public func answer(_ request: Tessera_V1_PredictRequest) throws(RuntimeFailure) -> Tessera_V1_PredictResponse {
        let predictor = try api.model(named: request.model)
        let decoded = try PredictRequest(proto: request, limits: api.limits)
        let answer: (outputs: [[Float]], version: UInt64)
        do { answer = try predictor.predict(decoded.instances) } catch {
            throw error as? RuntimeFailure ?? RuntimeFailure(.internalError, "\(error)")
        }
        return .with {
            $0.predictions = answer.outputs.map { row in .with { $0.values = row } }
            $0.version = answer.version
        }
    }

    /// Answers a `ModelStatus` request without a transport: the version (job step) the model answers with.
    public func status(_ request: Tessera_V1_ModelStatusRequest) throws(RuntimeFailure) -> Tessera_V1_ModelStatusResponse {
        let predictor = try api.model(named: request.model)
        return .with {
            $0.version = predictor.version
            $0.state = "AVAILABLE"
        }
    }

    /// `Predict`: `awaitingAnswer` (`answer`, or the rows of an embedding model awaited), its failure as the gRPC status.
    public func predict(request: Tessera_V1_PredictRequest, context: ServerContext) async throws -> Tessera_V1_PredictResponse {
        do { return try await awaitingAnswer(request) } catch { throw RPCError(code: error.code.rpcCode, message: error.message) }
    }

    /// `ModelStatus`: `status`, its failure as the gRPC status.
    public func modelStatus(request: Tessera_V1_ModelStatusRequest, context: ServerContext) async throws -> Tessera_V1_ModelStatusResponse {
        do { return try status(request) } catch { throw RPCError(code: error.code.rpcCode, message: error.message) }
    }
}
