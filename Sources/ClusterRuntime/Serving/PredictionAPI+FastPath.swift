extension PredictionAPI {
    /// The answer to a well-formed `POST /v1/models/<name>:predict` of number rows — token, model, body and
    /// prediction all fine — read by `NumberRowsReader` instead of the general parser; nil for every other request,
    /// which `answer(method:path:authorization:body:)` then answers (and refuses with the sentence naming the
    /// problem). Where this answers, `answer` gives the same bytes: the same predictor, the same JSON.
    package func fastAnswer(method: String, path: String, authorization: String?, body: [UInt8]) -> Answer? {
        guard method == "POST", authorizes(authorization) else { return nil }
        let prefix = "/v1/models/", suffix = ":predict"
        guard path.hasPrefix(prefix), path.hasSuffix(suffix) else { return nil }
        let name = path.dropFirst(prefix.count).dropLast(suffix.count)
        // `answer` strips a "/versions/N" tail first; such names (any "/") are left to it.
        guard !name.isEmpty, !name.utf8.contains(0x2F), let predictor = try? model(named: String(name)) else { return nil }
        let instances = body.withUnsafeBufferPointer { NumberRowsReader.instances($0, limits: limits) }
        guard let instances, let (outputs, _) = try? predictor.predict(instances) else { return nil }
        return Answer(status: 200, body: Self.predictionsJSON(outputs))
    }
}
