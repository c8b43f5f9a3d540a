import ClusterAPI
import ClusterRuntime
import Foundation
import Testing
import Training

/// The gRPC `Prediction` service without a socket: raw rows or named values in, the model's outputs and the answering
/// step out, and every bad request refused with the status and sentence the REST interface gives for it.
@Suite struct PredictionServiceTests {
    /// A logistic model on 2 features (w = [1, −1], b = 0.5) behind z-scores mean [10, 0], std [2, 1], at step 42.
    static func predictor() throws -> Predictor {
        let model = try ModelFactory.makeModel(ModelConfig(type: .logistic, inputWidth: 2))
        let parameters = try ParameterSet(variables: model.variables)
        let values: [[Float]] = [[1, -1], [0.5]]
        for (tensor, v) in zip(parameters.tensors, values) { v.withUnsafeBufferPointer { tensor.baseAddress.update(from: $0.baseAddress!, count: v.count) } }
        let preprocessing = Preprocessing(
            features: ["x", "y"], inputWidth: 2, standardization: Standardization(mean: [10, 0], std: [2, 1]), classNames: ["no", "yes"], classes: 2)
        return try Predictor(model: model, preprocessing: preprocessing, parameters: parameters, version: 42, backend: CPUBackend())
    }

    static func service(limits: PredictRequest.Limits = PredictRequest.Limits()) throws -> PredictionService {
        PredictionService(api: PredictionAPI(name: "toy", predictor: try predictor(), limits: limits))
    }

    static func row(_ values: [Double]) -> Tessera_V1_PredictInstance { .with { $0.row = .with { $0.values = values } } }

    static func request(_ instances: [Tessera_V1_PredictInstance], model: String = "toy") -> Tessera_V1_PredictRequest {
        .with { $0.model = model; $0.instances = instances }
    }

    static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    /// The failure `body` throws (nil when it answers).
    static func failure(_ body: () throws -> Void) -> RuntimeFailure? {
        do { try body() } catch { return error as? RuntimeFailure ?? RuntimeFailure(.internalError, "not a RuntimeFailure: \(error)") }
        return nil
    }

    @Test func rowsAndNamedValuesGetTheModelsProbabilitiesAndTheStep() throws {
        let named = Tessera_V1_PredictInstance.with {
            $0.fields = .with { $0.values = ["x": .with { $0.number = 14 }, "y": .with { $0.text = "-1" }] }
        }
        let answer = try Self.service().answer(Self.request([Self.row([12, 1]), Self.row([10, 0]), named]))
        #expect(answer.version == 42 && answer.predictions.count == 3 && answer.predictions.allSatisfy { $0.values.count == 1 })
        // z-scores (1, 1) → 1 − 1 + 0.5; (0, 0) → 0.5; (2, −1) → 2 + 1 + 0.5.
        let expected = [Self.sigmoid(0.5), Self.sigmoid(0.5), Self.sigmoid(3.5)]
        for (row, p) in zip(answer.predictions, expected) { #expect(abs(Double(row.values[0]) - p) < 1e-6, "\(answer.predictions)") }
        #expect(try Self.service().answer(Self.request([])).predictions.isEmpty)
    }

    @Test func theStatusIsTheVersionTheModelAnswersWith() throws {
        let status = try Self.service().status(.with { $0.model = "toy" })
        #expect(status.version == 42 && status.state == "AVAILABLE")
        let unknown = Self.failure { _ = try Self.service().status(.with { $0.model = "other" }) }
        #expect(unknown?.code == .notFound && unknown?.message.contains("\"toy\"") == true)
    }

    @Test func anUnknownModelIsNotFoundNamingTheServedOnes() throws {
        let failure = Self.failure { _ = try Self.service().answer(Self.request([Self.row([1, 2])], model: "cancer")) }
        #expect(failure?.code == .notFound && failure?.message == #"no model "cancer" here; this server serves "toy""#, "\(String(describing: failure))")
    }

    @Test(arguments: [
        (PredictionServiceTests.row([1, 2, 3]), "instance 1: an example has 3 values; the model takes 2 features"),
        (PredictionServiceTests.row([1, .nan]), "instance 1: feature \"y\" is not a finite number"),
        (PredictionServiceTests.row([.infinity, 1]), "instance 1: feature \"x\" is not a finite number"),
        (Tessera_V1_PredictInstance.with { $0.fields = .with { $0.values = ["x": .with { $0.number = 1 }, "z": .with { $0.number = 2 }] } },
         "instance 1: unknown feature \"z\""),
        (Tessera_V1_PredictInstance.with { $0.fields = .with { $0.values = ["x": .with { $0.number = 1 }, "y": .init()] } },
         "instance 1: feature \"y\" is missing"),
        (Tessera_V1_PredictInstance(), "instance 1: neither a row of numbers nor named values"),
    ])
    func aBadInstanceIsInvalidNamingItAndTheProblem(_ bad: Tessera_V1_PredictInstance, _ phrase: String) throws {
        let failure = Self.failure { _ = try Self.service().answer(Self.request([Self.row([10, 0]), bad])) }
        #expect(failure?.code == .invalidArgument && failure?.message.contains(phrase) == true, "\(String(describing: failure))")
    }

    @Test func requestsOverTheLimitsAreRefusedBeforeAnythingIsConverted() throws {
        let service = try Self.service(limits: PredictRequest.Limits(maxInstances: 4, maxValuesPerInstance: 3))
        let many = Self.failure { _ = try service.answer(Self.request(Array(repeating: Self.row([10, 0]), count: 5))) }
        #expect(many?.code == .resourceExhausted && many?.message == "a prediction request holds at most 4 instances")
        let wide = Self.failure { _ = try service.answer(Self.request([Self.row([10, 0]), Self.row([1, 2, 3, 4])])) }
        #expect(wide?.code == .resourceExhausted && wide?.message == "instance 1: an instance holds at most 3 values")
        var names: [String: Tessera_V1_FeatureValue] = [:]
        for i in 0..<4 { names["f\(i)"] = .with { $0.number = 1 } }
        let instance = Tessera_V1_PredictInstance.with { $0.fields = .with { $0.values = names } }
        let named = Self.failure { _ = try service.answer(Self.request([instance])) }
        #expect(named?.code == .resourceExhausted && named?.message == "instance 0: an instance holds at most 3 values")
        // The same bounds and sentences as a JSON body's.
        let jsonFailure = #expect(throws: RuntimeFailure.self) {
            _ = try PredictRequest(json: Array(#"{"instances": [[1], [1, 2, 3, 4]]}"#.utf8), limits: PredictRequest.Limits(maxValuesPerInstance: 3))
        }
        #expect(jsonFailure?.code == .resourceExhausted && jsonFailure?.message == wide?.message)
    }

    @Test func aJSONRequestTravelsAsTheSameInstances() throws {
        let json = try PredictRequest(json: Array(#"{"instances": [[12, 1], {"x": 14, "y": "-1", "z": null}]}"#.utf8))
        let proto = json.proto(model: "toy")
        #expect(proto.model == "toy" && proto.instances.count == 2)
        #expect(try PredictRequest(proto: proto, limits: PredictRequest.Limits()) == json)
    }
}
