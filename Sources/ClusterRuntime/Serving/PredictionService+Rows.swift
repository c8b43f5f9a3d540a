import ClusterAPI

extension PredictionService {
    /// `answer`, for every model: a model that reads embedding rows per request awaits them from its shards
    /// (UNAVAILABLE with a sentence when they cannot be read); every other model is answered by `answer` as it was.
    public func awaitingAnswer(_ request: Tessera_V1_PredictRequest) async throws(RuntimeFailure) -> Tessera_V1_PredictResponse {
        let predictor = try api.model(named: request.model)
        guard predictor.readsRows else { return try answer(request) }
        let decoded = try PredictRequest(proto: request, limits: api.limits)
        let answer: (outputs: [[Float]], version: UInt64)
        do { answer = try await predictor.prediction(for: decoded.instances) } catch {
            throw error as? RuntimeFailure ?? RuntimeFailure(.internalError, "\(error)")
        }
        return .with {
            $0.predictions = answer.outputs.map { row in .with { $0.values = row } }
            $0.version = answer.version
        }
    }
}
