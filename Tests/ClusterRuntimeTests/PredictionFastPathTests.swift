import Foundation
import Logging
import Testing
import Training

@testable import ClusterRuntime

/// The HTTP server's fast path for rows of numbers: every request it answers gets the bytes the general
/// `PredictionAPI` gives, every request it passes on (bad token, bad body, over the limits) gets the general answer with
/// its sentence — over a real socket too.
@Suite struct PredictionFastPathTests {
    /// A logistic model on 3 features (w = [1, −1, 0.25], b = 0.5) behind z-scores, at step 9.
    static func api(token: String? = nil, limits: PredictRequest.Limits = PredictRequest.Limits()) throws -> PredictionAPI {
        let model = try ModelFactory.makeModel(ModelConfig(type: .logistic, inputWidth: 3))
        let parameters = try ParameterSet(variables: model.variables)
        let values: [[Float]] = [[1, -1, 0.25], [0.5]]
        for (tensor, v) in zip(parameters.tensors, values) { v.withUnsafeBufferPointer { tensor.baseAddress.update(from: $0.baseAddress!, count: v.count) } }
        let preprocessing = Preprocessing(
            features: ["a", "b", "c"], inputWidth: 3, standardization: Standardization(mean: [10, 0, 1], std: [2, 1, 3]), classes: 2)
        let predictor = try Predictor(model: model, preprocessing: preprocessing, parameters: parameters, version: 9, backend: CPUBackend())
        return PredictionAPI(name: "toy", predictor: predictor, token: token, limits: limits)
    }

    static let wellFormed = [
        #"{"instances": [[1, 2, 3]]}"#,
        #"{"instances":[[0,0,0],[255,-7,12.5]]}"#,
        " {\n\t\"signature_name\": \"serving_default\" ,\r\n \"instances\" : [ [ 0.1 , -0.25 , 3.14159 ] ] } ",
        #"{"instances": [[123456789012345, 0.000000000000001, -999999999999999]]}"#,
        #"{"instances": [[-0, 00012, 1.50]], "signature_name": "x"}"#,
        #"{"instances": []}"#,
    ]

    /// Numbers the exact conversion leaves to `Double(String)`, and bodies only the general parser reads.
    static let elsewhere = [
        #"{"instances": [[1e2, 2E-3, 0.1234567890123456789]]}"#,
        #"{"instances": [[+1, .5, 5.]]}"#,
        #"{"instances": [[1234567890123456, 2, 3]]}"#,
        #"{"instances": [{"a": 1, "b": 2, "c": 3}]}"#,
        #"{"instan\u0063es": [[1, 2, 3]]}"#,
        #"{"instances": [[1, 2, 3]], "signature_name": "a\"b"}"#,
    ]

    /// Bodies refused with 400 or 413.
    static let refused = [
        #"{"instances": [[1, 2]]}"#,
        #"{"instances": [[1, 2, 3, 4]]}"#,
        #"{"instances": [[1, "two", 3]]}"#,
        #"{"instances": [[1, 1e999, 3]]}"#,
        #"{"instances": [[1, NaN, 3]]}"#,
        #"{"instances": [[1, -, 3]]}"#,
        #"{"instances": [[1, 2, 3]]"#,
        #"{"instances": [[1, 2, 3]]} x"#,
        #"{"instances": [[1, 2, 3]], "instances": [[1, 2, 3]]}"#,
        #"{"inputs": [[1, 2, 3]]}"#,
        #"{}"#,
        #"{"instances": [[1, 2, 3], [1, 2, 3], [1, 2, 3]]}"#,
        #"{"instances": [[1, 2, 3, 4, 5, 6, 7, 8, 9]]}"#,
        "{\"instances\": [[1, \(String(repeating: "1", count: 65)), 3]]}",
        "",
    ]

    static let limits = PredictRequest.Limits(maxBodyBytes: 4096, maxInstances: 2, maxValuesPerInstance: 8)

    @Test(arguments: wellFormed + elsewhere + refused)
    func theFastPathAnswersAsTheGeneralAPIOrLeavesTheRequestToIt(_ body: String) throws {
        let api = try Self.api(limits: Self.limits)
        let general = api.answer(method: "POST", path: "/v1/models/toy:predict", authorization: nil, body: Array(body.utf8))
        let fast = api.fastAnswer(method: "POST", path: "/v1/models/toy:predict", authorization: nil, body: Array(body.utf8))
        if let fast { #expect(fast == general, "\(body)") }
        if Self.wellFormed.contains(body) {
            #expect(fast != nil, "well-formed rows take the fast path: \(body)")
            #expect(general.status == 200, "\(String(decoding: general.body, as: UTF8.self))")
        }
        if Self.refused.contains(body) {
            #expect(fast == nil)
            #expect([400, 413].contains(general.status), "\(body): \(general.status)")
            #expect(String(decoding: general.body, as: UTF8.self).hasPrefix(#"{"error":""#))
        }
    }

    @Test func numbersReadAsThePredictRequestParserReadsThem() throws {
        let texts = [
            "0", "-0", "7", "255", "0.1", "0.2", "0.3", "-1.5", "3.14159", "123456789012345", "999999999999999", "0.000000000000001",
            "9.99999999999999", "1234567.89012345", "00012", "1.50", "1e2", "1E-3", "+4", ".5", "5.", "12345678901234567890", "0.1234567890123456789",
        ]
        let body = #"{"instances": [["# + texts.joined(separator: ", ") + "]]}"
        let general = try PredictRequest(json: Array(body.utf8)).instances
        let fast = Array(body.utf8).withUnsafeBufferPointer { NumberRowsReader.instances($0, limits: PredictRequest.Limits()) }
        #expect(fast == general)
        guard case .numbers(let read)? = fast?.first else { Issue.record("no row read"); return }
        #expect(read.map(\.bitPattern) == texts.map { Double($0)!.bitPattern }, "bit for bit what Double(String) reads")
    }

    @Test func aWideRowDoesNotMakeTheRowsAfterItHoldItsWidth() throws {
        // 4,096 values then 1,000 empty rows: 8 kB more of body must not cost 1,000 × 4,096 doubles.
        let body = #"{"instances": [["# + Array(repeating: "1", count: 4096).joined(separator: ",") + "]"
            + String(repeating: ",[]", count: 1000) + "]}"
        let limits = PredictRequest.Limits(maxInstances: 2000, maxValuesPerInstance: 4096)
        let rows = try #require(Array(body.utf8).withUnsafeBufferPointer { NumberRowsReader.instances($0, limits: limits) })
        #expect(rows == (try PredictRequest(json: Array(body.utf8), limits: limits).instances))
        let capacities = rows.dropFirst().map { row -> Int in if case .numbers(let values) = row { values.capacity } else { -1 } }
        #expect(capacities.count == 1000)
        #expect(capacities.allSatisfy { $0 == 0 }, "empty rows hold no storage: \(Set(capacities))")
    }

    @Test func tokensNamesMethodsAndVersionsAreLeftToTheGeneralAPI() throws {
        let api = try Self.api(token: "s3cret")
        let body = Array(#"{"instances": [[1, 2, 3]]}"#.utf8)
        #expect(api.fastAnswer(method: "POST", path: "/v1/models/toy:predict", authorization: "Bearer s3cret", body: body)?.status == 200)
        #expect(api.fastAnswer(method: "POST", path: "/v1/models/toy:predict", authorization: nil, body: body) == nil)
        #expect(api.fastAnswer(method: "POST", path: "/v1/models/toy:predict", authorization: "Bearer wrong", body: body) == nil)
        #expect(api.fastAnswer(method: "POST", path: "/v1/models/other:predict", authorization: "Bearer s3cret", body: body) == nil)
        #expect(api.fastAnswer(method: "GET", path: "/v1/models/toy:predict", authorization: "Bearer s3cret", body: body) == nil)
        #expect(api.fastAnswer(method: "POST", path: "/v1/models/toy/versions/3:predict", authorization: "Bearer s3cret", body: body) == nil)
        #expect(api.fastAnswer(method: "POST", path: "/v1/models/:predict", authorization: "Bearer s3cret", body: body) == nil)
        #expect(api.answer(method: "POST", path: "/v1/models/toy:predict", authorization: "Bearer wrong", body: body).status == 401)
    }

    @Test func overHTTPGoodRowsArePredictedAndBadOnesRefusedWithTheirSentence() async throws {
        let api = try Self.api(token: "s3cret", limits: Self.limits)
        let server = PredictionHTTPServer(
            address: HostPort(host: "127.0.0.1", port: 0), api: api, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let address = try await server.bind()
        let task = Task { try await server.run() }
        defer { task.cancel() }
        let url = try #require(URL(string: "http://127.0.0.1:\(address.port)/v1/models/toy:predict"))
        func post(_ body: String, token: String? = "s3cret") async throws -> (status: Int, text: String) {
            let answer = try await PredictionHTTPClient.send(url: url, body: Array(body.utf8), token: token, ca: nil, timeout: .seconds(10))
            return (answer.status, String(decoding: answer.body, as: UTF8.self))
        }

        let good = #"{"instances": [[10, 0, 1], [12, 1, 4]]}"#
        let expected = api.answer(method: "POST", path: "/v1/models/toy:predict", authorization: "Bearer s3cret", body: Array(good.utf8))
        let answered = try await post(good)
        #expect(answered.status == 200)
        #expect(answered.text == String(decoding: expected.body, as: UTF8.self))
        // z = 0 → P = sigmoid(0.5); z = [1, 1, 1] → P = sigmoid(1 − 1 + 0.25 + 0.5).
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answered.text.utf8)) as? [String: Any])
        let predictions = try #require(json["predictions"] as? [[Double]])
        #expect(predictions.map(\.count) == [1, 1], "P(label = 1) per instance: \(predictions)")
        #expect(abs((predictions.first?.first ?? 0) - 1 / (1 + exp(-0.5))) < 1e-6, "\(predictions)")
        #expect(abs((predictions.last?.first ?? 0) - 1 / (1 + exp(-0.75))) < 1e-6, "\(predictions)")

        let wrongWidth = try await post(#"{"instances": [[1, 2]]}"#)
        #expect(wrongWidth.status == 400)
        #expect(wrongWidth.text.contains("instance 0"), "\(wrongWidth.text)")
        let notANumber = try await post(#"{"instances": [[1, 1e999, 3]]}"#)
        #expect(notANumber.status == 400)
        #expect(notANumber.text.contains("is not a finite number"), "\(notANumber.text)")
        let tooMany = try await post(#"{"instances": [[1, 2, 3], [1, 2, 3], [1, 2, 3]]}"#)
        #expect(tooMany.status == 413)
        #expect(tooMany.text.contains("at most 2 instances"), "\(tooMany.text)")
        let noToken = try await post(good, token: nil)
        #expect(noToken.status == 401)
        let huge = try await post("{\"instances\": [[" + String(repeating: "1,", count: 3000) + "1]]}")
        #expect(huge.status == 413)
    }
}
