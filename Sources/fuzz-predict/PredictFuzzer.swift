import ClusterRuntime
import DataPlane
import Foundation
import FuzzSupport
import TensorWire
import Training
import WorkerCore

/// One fuzz input as a prediction request body, through `PredictRequest`'s parser and `PredictionAPI` over a small
/// tabular predictor (numbers, text, missing values, unknown names): every input gets an answer, never a trap; a 200
/// answer is JSON with one prediction per instance; anything else is a JSON error object. The HTTP server's fast reader
/// of number rows (`NumberRowsReader`, `PredictionAPI.fastAnswer`) reads only what the general parser reads, the same
/// instances from it, and answers with the same bytes.
enum PredictFuzzer {
    /// A wide & deep-free tabular stand-in: logistic regression over 3 columns, one of them categorical.
    static let api: PredictionAPI = {
        let columns = TabularColumns(categorical: ["color"], numeric: ["age", "height"], buckets: 16)
        let model = try! ModelFactory.makeModel(ModelConfig(type: .logistic, inputWidth: 3))
        let parameters = try! ParameterSet(variables: model.variables, seed: 1)
        let preprocessing = Preprocessing(
            features: ["color", "age", "height"], inputWidth: 3, standardization: Standardization(mean: [0, 40, 170], std: [1, 10, 8]),
            tabular: columns, numericFill: [40, 170], classes: 2)
        let predictor = try! Predictor(model: model, preprocessing: preprocessing, parameters: parameters, version: 1, backend: CPUBackend())
        return PredictionAPI(name: "m", predictor: predictor, limits: PredictRequest.Limits(maxBodyBytes: 1 << 16, maxInstances: 64, maxValuesPerInstance: 64))
    }()

    /// Fuzz body: returns normally for every input; a trap or failed invariant is a finding.
    static func fuzz(_ input: [UInt8]) {
        let answer = api.answer(method: "POST", path: "/v1/models/m:predict", authorization: nil, body: input)
        let general = try? PredictRequest(json: input, limits: api.limits)
        if let fast = input.withUnsafeBufferPointer({ NumberRowsReader.instances($0, limits: api.limits) }) {
            precondition(fast == general?.instances, "the fast reader read instances the general parser does not: \(fast)")
        }
        if let fast = api.fastAnswer(method: "POST", path: "/v1/models/m:predict", authorization: nil, body: input) {
            precondition(fast == answer, "the fast path answered \(fast.status), the general API \(answer.status)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any] else {
            fatalError("answer \(answer.status) is not a JSON object: \(String(decoding: answer.body, as: UTF8.self))")
        }
        if answer.status == 200 {
            let request = try! PredictRequest(json: input, limits: api.limits)
            let predictions = object["predictions"] as? [[Any]]
            precondition(predictions?.count == request.instances.count, "one prediction per instance")
        } else {
            precondition(object["error"] is String && [400, 413].contains(answer.status), "an error answer is 400/413 with a sentence")
        }
    }

    /// Writes the seed inputs; returns how many.
    static func writeSeeds(to directory: String) throws -> Int {
        let seeds = [
            #"{"instances": [{"color": "red", "age": 31, "height": 180}]}"#,
            #"{"instances": [{"color": null, "age": "?", "height": 1.5e2}, {"color": 7}]}"#,
            #"{"instances": [], "signature_name": "serving_default"}"#,
            #"{"instances": [{"c\u00f6lor": "x"}]}"#,
            #"{"instances": [[1, 2, 3]]}"#,
            #"{"instances": [{"age": 1e999}]}"#,
            #"{"instances": [[0, 255, 12.5, -0.25, 1e2], [3, 2, 1]], "signature_name": "x"}"#,
            #"{"instances": [[123456789012345, 0.000000000000001, 9.99999999999999, 00012]]}"#,
        ]
        for (i, seed) in seeds.enumerated() {
            guard FileManager.default.createFile(atPath: "\(directory)/seed-\(i).json", contents: Data(seed.utf8)) else {
                throw RuntimeFailure(.internalError, "cannot write \(directory)/seed-\(i).json")
            }
        }
        return seeds.count
    }
}
