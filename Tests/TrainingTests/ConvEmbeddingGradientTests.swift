import TensorWire
import Testing
@testable import Training

/// Finite-difference checks of conv2d, max-pool, flatten, embedding and the wide layer, and of
/// whole CNN and wide & deep train steps.
@Suite struct ConvEmbeddingGradientTests {
    let backend = CPUBackend(threads: 1)
    let base = GradientCheckTests()

    /// A tensor holding a shuffled ladder of distinct values (no ties, gaps of `step`).
    func distinct(_ dims: [Int], seed: UInt64, step: Float = 0.05) -> Tensor {
        let t = Tensor(zeros: Shape(dims))
        var values = (0..<t.count).map { Float($0) * step - Float(t.count) * step / 2 }
        var rng = SeededGenerator(seed: seed)
        for i in stride(from: values.count - 1, to: 0, by: -1) { values.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        t.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = values[i] } }
        return t
    }

    @Test func conv2d() throws {
        let layer = try Conv2D(index: 0, input: ImageShape(height: 5, width: 4, channels: 2), filters: 3, kernelSize: 3)
        #expect(layer.variables[0].name == "conv_0/kernel" && layer.variables[0].shape == Shape([3, 3, 2, 3]))
        try base.check(layer, input: TestSupport.random([2, 40], seed: 21))
    }

    @Test func conv2dMatchesDirectConvolution() throws {
        let image = ImageShape(height: 4, width: 3, channels: 2)
        let layer = try Conv2D(index: 0, input: image, filters: 2, kernelSize: 3)
        let params = try ParameterSet(variables: layer.variables, seed: 3)
        let x = TestSupport.random([1, 24], seed: 4)
        let y = try layer.forward(x, parameters: params, offset: 0, training: false, backend: backend).toArray()
        let k = params.tensors[0].toArray(), b = params.tensors[1].toArray(), xs = x.toArray()
        for oy in 0..<4 { for ox in 0..<3 { for o in 0..<2 {
            var s = b[o]
            for ky in 0..<3 { for kx in 0..<3 { for c in 0..<2 {
                let iy = oy + ky - 1, ix = ox + kx - 1
                if iy >= 0, iy < 4, ix >= 0, ix < 3 { s += xs[(iy * 3 + ix) * 2 + c] * k[((ky * 3 + kx) * 2 + c) * 2 + o] }
            } } }
            #expect(abs(y[(oy * 3 + ox) * 2 + o] - s) < 1e-5)
        } } }
    }

    @Test func maxPool() throws {
        let layer = try MaxPool2D(input: ImageShape(height: 4, width: 5, channels: 2), size: 2)
        #expect(layer.output == ImageShape(height: 2, width: 2, channels: 2))
        try base.check(layer, input: distinct([3, 40], seed: 5))
        let x = try Tensor(shape: Shape([1, 4]), values: [1, 5, 3, 2])
        let pool = try MaxPool2D(input: ImageShape(height: 2, width: 2, channels: 1), size: 2)
        #expect(try pool.forward(x, parameters: ParameterSet(variables: []), offset: 0, training: true, backend: backend).toArray() == [5])
    }

    @Test func flatten() throws {
        try base.check(Flatten(ImageShape(height: 2, width: 3, channels: 2)), input: TestSupport.random([2, 12], seed: 6))
    }

    @Test func embedding() throws {
        let layer = try Embedding(tables: [("a", 4), ("b", 3)], dimension: 2, idColumns: [0, 2], passthrough: [1], inputWidth: 3)
        #expect(layer.variables.map(\.name) == ["embedding_a", "embedding_b"])
        #expect(layer.outputWidth == 5)
        // Rows 0 and 3 share id 1 of table a, so the scatter must add.
        let x = try Tensor(shape: Shape([4, 3]), values: [1, 0.5, 2, 0, -0.3, 0, 3, 0.8, 1, 1, 0.1, 2])
        try base.check(layer, input: x)
        let bad = try Tensor(shape: Shape([1, 3]), values: [4, 0, 0])
        #expect(throws: TrainingError.self) {
            _ = try layer.forward(bad, parameters: ParameterSet(variables: layer.variables), offset: 0, training: true, backend: backend)
        }
    }

    @Test func sparseLinear() throws {
        let layer = try SparseLinear(idColumns: [0, 1], buckets: 3, inputWidth: 3, outputWidth: 2)
        let x = try Tensor(shape: Shape([3, 3]), values: [0, 2, 0.4, 1, 2, -0.2, 0, 0, 0.9])
        try base.check(layer, input: x)
    }

    @Test func wholeCNNTrainStep() throws {
        let config = ModelConfig(type: .cnn, inputWidth: 36, classes: 3, hidden: [4],
                                 cnn: CNNConfig(image: ImageShape(height: 6, width: 6, channels: 1), filters: [2, 3], kernelSize: 3, poolSize: 2))
        let model = try ModelFactory.make(config)
        #expect(model.variables.map(\.name) == ["conv_0/kernel", "conv_0/bias", "conv_1/kernel", "conv_1/bias",
                                                 "dense_0/kernel", "dense_0/bias", "dense_1/kernel", "dense_1/bias"])
        #expect(model.variables[4].shape == Shape([3, 4]))
        try checkModel(model, features: distinct([4, 36], seed: 31, step: 0.03), labels: [0, 1, 2, 1], randomize: true)
    }

    @Test func wholeWideDeepTrainStep() throws {
        let layout = WideDeepConfig(categorical: [CategoricalColumn(name: "a", buckets: 3), CategoricalColumn(name: "b", buckets: 4)],
                                    numericCount: 2, wide: ["a", "a*b"], wideBuckets: 5, embeddingDim: 2)
        let model = try ModelFactory.makeModel(ModelConfig(type: .wideDeep, inputWidth: 6, hidden: [3], activation: .tanh, wideDeep: layout))
        #expect(model.variables.map(\.name) == ["embedding_a", "embedding_b", "dense_0/kernel", "dense_0/bias", "dense_1/kernel",
                                                 "dense_1/bias", "wide/kernel", "wide/bias"])
        let rows: [Float] = [0, 3, 0.2, -1, 0, 4,
                             2, 1, -0.5, 0.3, 2, 1,
                             1, 3, 1.1, 0.7, 1, 0,
                             0, 0, -0.9, 0.1, 0, 4]
        try checkModel(model, features: Tensor(shape: Shape([4, 6]), values: rows), labels: [1, 0, 1, 0], randomize: true)
    }

    /// Compares a model's train-step gradients with central differences of its loss.
    func checkModel(_ model: any Model, features: Tensor, labels: [Float], randomize: Bool = false) throws {
        let params = try ParameterSet(variables: model.variables, seed: 11)
        if randomize {
            for t in params.tensors { t.withUnsafeMutableBufferPointer { b in for i in b.indices where b[i] == 0 { b[i] = 0.05 * Float(i % 7) - 0.15 } } }
        }
        var grads = try ParameterSet(variables: model.variables)
        let batch = try Batch(features: features, labels: Tensor(shape: Shape([labels.count]), values: labels))
        _ = try model.trainStep(parameters: params, batch: batch, gradients: &grads, backend: backend)
        let analytic = grads.tensors.map { $0.toArray() }
        var scratch = try ParameterSet(variables: model.variables)
        for (i, p) in params.tensors.enumerated() {
            let loss = { Double(try model.trainStep(parameters: params, batch: batch, gradients: &scratch, backend: backend).loss) }
            let numeric = try TestSupport.numericGradient(of: p, eps: 5e-3, loss)
            let finer = try TestSupport.numericGradient(of: p, eps: 1e-3, loss)
            // Where the two step sizes disagree the loss is not smooth there (a max-pool winner or a
            // ReLU changes inside the step): finite differences say nothing, so skip those elements.
            let smooth = numeric.indices.filter { abs(numeric[$0] - finer[$0]) < 2e-3 * max(1, abs(numeric[$0])) }
            #expect(smooth.count * 10 >= numeric.count * 8, "\(params.specs[i].name): too few smooth elements")
            #expect(TestSupport.close(smooth.map { analytic[i][$0] }, smooth.map { numeric[$0] }, tol: 1e-2), "\(params.specs[i].name)")
        }
    }
}
