import Foundation
import TensorWire
import Testing
@testable import Training

@Suite struct ModelTests {
    @Test func mlpVariablesAreNamedAndShaped() throws {
        let model = try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 784, classes: 10, hidden: [128, 64]))
        #expect(model.variables.map(\.name) == ["dense_0/kernel", "dense_0/bias", "dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias"])
        #expect(model.variables.map(\.shape) == [Shape([784, 128]), Shape([128]), Shape([128, 64]), Shape([64]), Shape([64, 10]), Shape([10])])
        #expect(model.variables[0].initializer == .glorotUniform)
        #expect(model.variables[1].initializer == .zeros)
        #expect(model.task == .multiclass(classes: 10))
    }

    @Test func builtInTasks() throws {
        #expect(try ModelFactory.make(ModelConfig(type: .linear, inputWidth: 1)).task == .regression)
        #expect(try ModelFactory.make(ModelConfig(type: .logistic, inputWidth: 30)).task == .binaryClassification)
        #expect(try ModelFactory.make(ModelConfig(type: .softmax, inputWidth: 4, classes: 3)).variables[0].shape == Shape([4, 3]))
    }

    @Test func configDecodesSnakeCaseWithDefaults() throws {
        let json = #"{"type": "mlp", "input_width": 784, "classes": 10, "hidden": [128, 64], "activation": "tanh"}"#
        let config = try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8))
        #expect(config.hidden == [128, 64] && config.activation == .tanh && config.dropout == 0)
        let round = try JSONDecoder().decode(ModelConfig.self, from: JSONEncoder().encode(config))
        #expect(round == config)
    }

    @Test func invalidConfigsThrow() {
        #expect(throws: TrainingError.self) { try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 0)) }
        #expect(throws: TrainingError.self) { try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 3, hidden: [0])) }
        #expect(throws: TrainingError.self) { try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 3, dropout: 1)) }
    }

    @Test func wrongParameterShapesThrow() throws {
        let model = try ModelFactory.make(ModelConfig(type: .logistic, inputWidth: 3))
        let wrong = try ParameterSet(variables: [VariableSpec(name: "x", shape: Shape([2]))])
        var grads = try ParameterSet(variables: model.variables)
        let batch = try Batch(features: Tensor(zeros: 2, 3), labels: Tensor(zeros: 2))
        #expect(throws: TrainingError.self) {
            try model.trainStep(parameters: wrong, batch: batch, gradients: &grads, backend: CPUBackend())
        }
        let params = try ParameterSet(variables: model.variables, seed: 1)
        #expect(throws: TrainingError.self) {
            try model.trainStep(parameters: params, batch: Batch(features: Tensor(zeros: 2, 4), labels: Tensor(zeros: 2)),
                                gradients: &grads, backend: CPUBackend())
        }
    }

    @Test func parameterSetInitializationIsDeterministic() throws {
        let model = try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 5, hidden: [4]))
        let a = try ParameterSet(variables: model.variables, seed: 3)
        let b = try ParameterSet(variables: model.variables, seed: 3)
        #expect(a.tensors.map { $0.toArray() } == b.tensors.map { $0.toArray() })
        let limit = (6.0 / 9.0).squareRoot()
        #expect(a.tensors[0].toArray().allSatisfy { abs(Double($0)) <= limit })
        #expect(a.index(of: "dense_1/bias") == 3)
        a.withUnsafeMutableBuffer(at: 1) { $0[0] = 42 }
        #expect(a["dense_0/bias"]?.toArray().first == 42)
    }
}
