import DataPlane
import Foundation
import Testing
import TensorWire
import Training
import WorkerCore

/// TensorFlow Serving's REST API over a `Predictor`, without a socket: raw rows in, the model's outputs out, and every
/// bad request answered with the status and a sentence a client can act on.
@Suite struct PredictionAPITests {
    /// A logistic model on 2 features with known weights (w = [1, −1], b = 0.5) behind z-scores mean [10, 0], std [2, 1].
    static func api(token: String? = nil, limits: PredictRequest.Limits = PredictRequest.Limits()) throws -> PredictionAPI {
        let model = try ModelFactory.makeModel(ModelConfig(type: .logistic, inputWidth: 2))
        let parameters = try ParameterSet(variables: model.variables)
        let values: [[Float]] = [[1, -1], [0.5]]
        for (tensor, v) in zip(parameters.tensors, values) { v.withUnsafeBufferPointer { tensor.baseAddress.update(from: $0.baseAddress!, count: v.count) } }
        let preprocessing = Preprocessing(
            features: ["x", "y"], inputWidth: 2, standardization: Standardization(mean: [10, 0], std: [2, 1]), classNames: ["no", "yes"], classes: 2)
        let predictor = try Predictor(model: model, preprocessing: preprocessing, parameters: parameters, version: 42, backend: CPUBackend())
        return PredictionAPI(name: "toy", predictor: predictor, token: token, limits: limits)
    }

    static func json(_ answer: PredictionAPI.Answer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any], "\(String(decoding: answer.body, as: UTF8.self))")
    }

    static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    @Test func rawRowsAndNamedValuesGetTheModelsProbabilities() throws {
        let api = try Self.api()
        let answer = api.answer(method: "POST", path: "/v1/models/toy:predict", authorization: nil, body: Array(#"{"instances": [[12, 1], [10, 0]], "signature_name": "serving_default"}"#.utf8))
        #expect(answer.status == 200)
        let predictions = try #require(try Self.json(answer)["predictions"] as? [[Double]])
        // Row 1: z-scores (1, 1) → 1·1 − 1·1 + 0.5; row 2: (0, 0) → 0.5.
        #expect(predictions.count == 2 && predictions.allSatisfy { $0.count == 1 })
        #expect(abs(predictions[0][0] - Self.sigmoid(0.5)) < 1e-6 && abs(predictions[1][0] - Self.sigmoid(0.5)) < 1e-6)
        let named = api.answer(method: "POST", path: "/v1/models/toy:predict", authorization: nil, body: Array(#"{"instances":[{"x": 14, "y": "-1"}]}"#.utf8))
        let p = try #require(try Self.json(named)["predictions"] as? [[Double]])
        #expect(abs(p[0][0] - Self.sigmoid(2 + 1 + 0.5)) < 1e-6, "\(p)")
    }

    @Test func theStatusNamesTheVersionAsTheJobsStep() throws {
        let answer = try Self.api().answer(method: "GET", path: "/v1/models/toy", authorization: nil, body: [])
        let status = try #require((try Self.json(answer)["model_version_status"] as? [[String: Any]])?.first)
        #expect(answer.status == 200 && status["version"] as? String == "42" && status["state"] as? String == "AVAILABLE")
    }

    @Test(arguments: [
        (#"{"instances": [[1, 2, 3]]}"#, 400, "3 values; the model takes 2 features"),
        (#"{"instances": [["a", 2]]}"#, 400, "expected a number"),
        (#"{"instances": [{"x": 1, "z": 2}]}"#, 400, "unknown feature \"z\""),
        (#"{"instances": [[1, 1e999]]}"#, 400, "not a finite number"),
        (#"{"inputs": [[1, 2]]}"#, 400, "unknown key \"inputs\""),
        (#"{"instances": [[1, 2]]"#, 400, "not closed"),
        (#"[[[[[[[[[[[[[[[[[[[["#, 400, "expected '{'"),
        ("", 400, "expected '{'"),
        (#"{"instances": [[1,2],[1,2],[1,2],[1,2],[1,2]]}"#, 413, "at most 4 instances"),
    ])
    func badRequestsAreRefusedWithTheProblemNamed(_ body: String, _ status: Int, _ phrase: String) throws {
        let answer = try Self.api(limits: PredictRequest.Limits(maxInstances: 4)).answer(
            method: "POST", path: "/v1/models/toy:predict", authorization: nil, body: Array(body.utf8))
        let error = try #require(try Self.json(answer)["error"] as? String)
        #expect(answer.status == status && error.contains(phrase), "\(answer.status): \(error)")
    }

    @Test func tokensPathsAndMethodsAreChecked() throws {
        let api = try Self.api(token: "s3cret-token-0123456789")
        let body = Array(#"{"instances": [[10, 0]]}"#.utf8)
        #expect(api.answer(method: "POST", path: "/v1/models/toy:predict", authorization: nil, body: body).status == 401)
        #expect(api.answer(method: "POST", path: "/v1/models/toy:predict", authorization: "Bearer wrong", body: body).status == 401)
        #expect(api.answer(method: "POST", path: "/v1/models/toy:predict", authorization: "Bearer s3cret-token-0123456789", body: body).status == 200)
        let open = try Self.api()
        #expect(open.answer(method: "POST", path: "/v1/models/other:predict", authorization: nil, body: body).status == 404)
        #expect(open.answer(method: "GET", path: "/v1/models/toy:predict", authorization: nil, body: []).status == 405)
        #expect(open.answer(method: "GET", path: "/", authorization: nil, body: []).status == 404)
    }

    @Test func theParserReadsEscapesAndRefusesWhatIsNotARequest() throws {
        let request = try PredictRequest(json: Array(#" { "instances" : [ { "c\"o\\l" : "r\u00e9d" , "n" : null } , [ -1.5e2 , 0 ] ] } "#.utf8))
        #expect(request.instances == [.fields(["c\"o\\l": .text("réd"), "n": .missing]), .numbers([-150, 0])])
        #expect(throws: RuntimeFailure.self) { try PredictRequest(json: Array(#"{"instances": [{"a": 1, "a": 2}]}"#.utf8)) }
        #expect(throws: RuntimeFailure.self) { try PredictRequest(json: Array(#"{"instances": [[1]]} x"#.utf8)) }
        #expect(throws: RuntimeFailure.self) { try PredictRequest(json: Array(repeating: 0x20, count: 100), limits: .init(maxBodyBytes: 99)) }
    }
}
