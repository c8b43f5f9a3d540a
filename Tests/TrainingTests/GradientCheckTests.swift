import TensorWire
import Testing
@testable import Training

/// Finite-difference checks of every layer's and loss's backward pass.
@Suite struct GradientCheckTests {
    let backend = CPUBackend(threads: 1)

    /// Checks a layer: L = Σ forward(x) ⊙ R; compares dL/dx and dL/dparameters with central differences.
    func check(_ layer: any Layer, input: Tensor, prepare: () -> Void = {}) throws {
        let params = try ParameterSet(variables: layer.variables, seed: 7)
        // Give biases non-zero values so they matter.
        for t in params.tensors { t.withUnsafeMutableBufferPointer { b in for i in b.indices where b[i] == 0 { b[i] = 0.1 * Float(i % 5) - 0.2 } } }
        let grads = try ParameterSet(variables: layer.variables)
        let r = TestSupport.random([input.rows, layer.outputWidth], seed: 99)

        func loss() throws -> Double {
            prepare()
            let y = try layer.forward(input, parameters: params, offset: 0, training: true, backend: backend)
            return TestSupport.dot(y, r)
        }
        prepare()
        _ = try layer.forward(input, parameters: params, offset: 0, training: true, backend: backend)
        let dx = try #require(try layer.backward(r, parameters: params, gradients: grads, offset: 0, needsInputGradient: true, backend: backend))
        let dxValues = dx.toArray()
        let gradValues = grads.tensors.map { $0.toArray() }

        let numericX = try TestSupport.numericGradient(of: input, loss)
        #expect(TestSupport.close(dxValues, numericX), "input gradient")
        for (i, p) in params.tensors.enumerated() {
            let numeric = try TestSupport.numericGradient(of: p, loss)
            #expect(TestSupport.close(gradValues[i], numeric), "gradient of \(params.specs[i].name)")
        }
    }

    @Test func dense() throws {
        try check(Dense(index: 0, inputWidth: 5, outputWidth: 3), input: TestSupport.random([4, 5], seed: 1))
    }

    @Test(arguments: ActivationFunction.allCases)
    func activation(_ kind: ActivationFunction) throws {
        // Keep inputs away from relu's kink at 0.
        try check(ActivationLayer(kind, width: 6), input: TestSupport.random([3, 6], seed: 2, lo: -2, hi: 2, gap: 0.1))
    }

    @Test func dropout() throws {
        let layer = try Dropout(rate: 0.5, width: 8, seed: 3)
        try check(layer, input: TestSupport.random([4, 8], seed: 4)) { layer.maskIndex = 0 }
        // Inverted scaling: kept elements are scaled by 2, about half are dropped.
        layer.maskIndex = 0
        let x = Tensor(zeros: 100, 8)
        x.fill(1)
        let y = try layer.forward(x, parameters: ParameterSet(variables: []), offset: 0, training: true, backend: backend).toArray()
        #expect(Set(y).isSubset(of: [0, 2]))
        let kept = y.filter { $0 > 0 }.count
        #expect(kept > 300 && kept < 500)
        let inference = try layer.forward(x, parameters: ParameterSet(variables: []), offset: 0, training: false, backend: backend)
        #expect(inference.toArray().allSatisfy { $0 == 1 })
    }

    /// Checks a fused loss gradient against central differences of its mean loss.
    func checkLoss(_ task: TaskKind, outputs: Tensor, labels: Tensor) throws {
        let loss = LossLayer(task: task)
        let (_, g) = try loss.forwardBackward(outputs, labels: labels, backend: backend)
        let analytic = g.toArray()
        let numeric = try TestSupport.numericGradient(of: outputs, eps: 1e-2) {
            Double(try loss.forward(outputs, labels: labels, backend: backend).loss)
        }
        #expect(TestSupport.close(analytic, numeric, tol: 1e-2))
    }

    @Test func softmaxCrossEntropy() throws {
        try checkLoss(.multiclass(classes: 4), outputs: TestSupport.random([5, 4], seed: 5, lo: -3, hi: 3),
                      labels: Tensor(shape: Shape([5]), values: [0, 3, 1, 2, 3]))
    }

    @Test func sigmoidCrossEntropy() throws {
        try checkLoss(.binaryClassification, outputs: TestSupport.random([6, 1], seed: 6, lo: -3, hi: 3),
                      labels: Tensor(shape: Shape([6]), values: [0, 1, 1, 0, 1, 0]))
    }

    @Test func meanSquaredError() throws {
        try checkLoss(.regression, outputs: TestSupport.random([6, 1], seed: 7, lo: -3, hi: 3),
                      labels: TestSupport.random([6], seed: 8, lo: -3, hi: 3))
    }

    @Test func wholeMLPTrainStep() throws {
        let model = try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 4, classes: 3, hidden: [5, 4], activation: .tanh))
        let params = try ParameterSet(variables: model.variables, seed: 11)
        var grads = try ParameterSet(variables: model.variables)
        let batch = try Batch(features: TestSupport.random([6, 4], seed: 12), labels: Tensor(shape: Shape([6]), values: [0, 1, 2, 2, 1, 0]))
        _ = try model.trainStep(parameters: params, batch: batch, gradients: &grads, backend: backend)
        let analytic = grads.tensors.map { $0.toArray() }
        var scratch = try ParameterSet(variables: model.variables)
        for (i, p) in params.tensors.enumerated() {
            let numeric = try TestSupport.numericGradient(of: p) {
                Double(try model.trainStep(parameters: params, batch: batch, gradients: &scratch, backend: backend).loss)
            }
            #expect(TestSupport.close(analytic[i], numeric, tol: 1e-2), "\(params.specs[i].name)")
        }
    }
}
