import TensorWire

/// Runs every kernel, a whole MLP step and a CNN step on a backend and on `CPUBackend` with the
/// same seeded inputs and reports the largest difference of each: the check behind the CUDA
/// tests and `tessera-bench cuda`. Kernels run inside `runStep`, as a model's step runs them.
public enum BackendComparison {
    /// One compared kernel or step.
    public struct Row: Sendable {
        /// What ran ("gemm(aᵀ, b)", "mlp step gradients", …).
        public var name: String
        /// Largest |cpu − other| / max(1, |cpu|) over the outputs.
        public var maxDifference: Float
        /// The tolerance it is held to.
        public var tolerance: Float
        /// Whether the difference is within the tolerance (NaN fails).
        public var passed: Bool { maxDifference <= tolerance }
    }

    /// Compares `other` with `CPUBackend(threads: 1)` on every kernel and two model steps.
    public static func run(_ other: any ComputeBackend, tolerance: Float = 1e-4) throws -> [Row] {
        let cpu = CPUBackend(threads: 1)
        var rows: [Row] = []
        /// Runs `kernel` on both backends over seeded tensors of `shapes` and compares the tensors
        /// after the first `reads` (those the kernel writes; with `updates` it reads them too).
        func compare(_ name: String, _ shapes: [[Int]], tolerance: Float = tolerance, reads: Int, updates: Bool = false, seed: UInt64,
                     prepare: ([Tensor]) -> Void = { _ in }, _ kernel: (any ComputeBackend, [Tensor]) throws -> Float?) throws {
            let reference = shapes.enumerated().map { random($0.element, seed: seed + UInt64($0.offset)) }
            let copies = reference.map { t -> Tensor in
                let c = Tensor(zeros: t.shape)
                c.baseAddress.update(from: t.baseAddress, count: t.count)
                return c
            }
            prepare(reference)
            prepare(copies)
            let cpuScalar = try kernel(cpu, reference)
            let otherScalar = try other.runStep(reading: updates ? copies : Array(copies.prefix(reads)), writing: Array(copies.dropFirst(reads))) {
                try kernel($0, copies)
            }
            var worst = difference(reference.dropFirst(reads).flatMap { $0.toArray() }, copies.dropFirst(reads).flatMap { $0.toArray() })
            if let a = cpuScalar, let b = otherScalar { worst = max(worst, difference([a], [b])) }
            rows.append(Row(name: name, maxDifference: worst, tolerance: tolerance))
        }
        let classIDs: ([Tensor]) -> Void = { t in t[1].withUnsafeMutableBufferPointer { l in for i in l.indices { l[i] = Float(i % 10) } } }
        let zeroOnes: ([Tensor]) -> Void = { t in t[1].withUnsafeMutableBufferPointer { l in for i in l.indices { l[i] = Float(i % 2) } } }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let name = "gemm(\(ta ? "aᵀ" : "a"), \(tb ? "bᵀ" : "b"))"
            try compare(name, [ta ? [37, 65] : [65, 37], tb ? [129, 37] : [37, 129], [65, 129]], tolerance: 1e-3, reads: 2, seed: 1) { b, t in
                try b.gemm(t[0], transposeA: ta, t[1], transposeB: tb, into: t[2], alpha: 0.5, beta: 0)
                return nil
            }
        }
        try compare("gemm beta 0.25", [[64, 300], [300, 33], [64, 33]], tolerance: 1e-3, reads: 2, updates: true, seed: 10) { b, t in
            try b.gemm(t[0], transposeA: false, t[1], transposeB: false, into: t[2], alpha: 1, beta: 0.25)
            return nil
        }
        try compare("addBias", [[33], [70, 33]], reads: 1, updates: true, seed: 20) { b, t in try b.addBias(t[0], to: t[1]); return nil }
        try compare("columnSums", [[70, 33], [33]], reads: 1, seed: 30) { b, t in try b.columnSums(t[0], into: t[1], beta: 0); return nil }
        try compare("columnSums beta 0.5", [[70, 33], [33]], reads: 1, updates: true, seed: 40) { b, t in
            try b.columnSums(t[0], into: t[1], beta: 0.5)
            return nil
        }
        for activation in ActivationFunction.allCases {
            try compare("activate \(activation.rawValue)", [[40, 50], [40, 50]], reads: 1, seed: 50) { b, t in
                try b.activate(activation, t[0], into: t[1])
                return nil
            }
            try compare("activationBackward \(activation.rawValue)", [[40, 50], [40, 50], [40, 50]], reads: 2, seed: 60) { b, t in
                try b.activate(activation, t[0], into: t[0])
                try b.activationBackward(activation, output: t[0], gradOutput: t[1], into: t[2])
                return nil
            }
        }
        try compare("multiply", [[1000], [1000], [1000]], reads: 2, seed: 70) { b, t in try b.multiply(t[0], t[1], into: t[2]); return nil }
        try compare("axpy", [[1000], [1000]], reads: 1, updates: true, seed: 80) { b, t in try b.axpy(alpha: -0.3, t[0], t[1]); return nil }
        try compare("softmax", [[64, 10], [64, 10]], reads: 1, seed: 90) { b, t in try b.softmax(t[0], into: t[1]); return nil }
        try compare("softmaxCrossEntropy", [[64, 10], [64], [64, 10]], reads: 2, seed: 100, prepare: classIDs) { b, t in
            let value = try b.softmaxCrossEntropy(logits: t[0], labels: t[1], gradient: t[2])
            return value.loss + Float(value.correct)
        }
        try compare("sigmoidCrossEntropy", [[64, 1], [64], [64, 1]], reads: 2, seed: 110, prepare: zeroOnes) { b, t in
            let value = try b.sigmoidCrossEntropy(logits: t[0], labels: t[1], gradient: t[2])
            return value.loss + Float(value.correct)
        }
        try compare("meanSquaredError", [[64, 1], [64], [64, 1]], reads: 2, seed: 120) { b, t in
            try b.meanSquaredError(predictions: t[0], targets: t[1], gradient: t[2]).loss
        }
        rows.append(try modelStep("mlp step (784-128-64-10, dropout)",
                                  ModelConfig(type: .mlp, inputWidth: 784, classes: 10, hidden: [128, 64], dropout: 0.2), other))
        var cnn = ModelConfig(type: .cnn, inputWidth: 784, classes: 10, hidden: [64])
        cnn.cnn = CNNConfig(image: ImageShape(height: 28, width: 28, channels: 1), filters: [8, 16])
        rows.append(try modelStep("cnn step (conv 8-16, 28×28)", cnn, other))
        return rows
    }

    /// One training step of a model from `config` on both backends: the largest difference of the
    /// loss and every gradient, then of one prediction pass.
    static func modelStep(_ name: String, _ config: ModelConfig, _ other: any ComputeBackend) throws -> Row {
        let models = try (ModelFactory.make(config), ModelFactory.make(config))
        let parameters = try ParameterSet(variables: models.0.variables, seed: 5)
        var g0 = try ParameterSet(variables: models.0.variables)
        var g1 = try ParameterSet(variables: models.0.variables)
        let batch = try Batch(features: random([64, config.inputWidth], seed: 6, lo: 0, hi: 1),
                              labels: Tensor(shape: Shape([64]), values: (0..<64).map { Float($0 % config.classes) }))
        let r0 = try models.0.trainStep(parameters: parameters, batch: batch, gradients: &g0, backend: CPUBackend(threads: 1))
        let r1 = try models.1.trainStep(parameters: parameters, batch: batch, gradients: &g1, backend: other)
        var worst = difference([r0.loss, Float(r0.correct)], [r1.loss, Float(r1.correct)])
        for (a, b) in zip(g0.tensors, g1.tensors) { worst = max(worst, difference(a.toArray(), b.toArray())) }
        let p0 = Tensor(zeros: 64, config.classes), p1 = Tensor(zeros: 64, config.classes)
        try models.0.predict(parameters: parameters, features: batch.features, into: p0, backend: CPUBackend(threads: 1))
        try models.1.predict(parameters: parameters, features: batch.features, into: p1, backend: other)
        worst = max(worst, difference(p0.toArray(), p1.toArray()))
        return Row(name: name, maxDifference: worst, tolerance: 1e-4)
    }

    /// Largest |a − b| / max(1, |a|); infinity when the counts differ, NaN when either has NaN.
    static func difference(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        var worst: Float = 0
        for (x, y) in zip(a, b) {
            let d = abs(x - y) / max(1, abs(x))
            if d.isNaN { return .nan }
            worst = max(worst, d)
        }
        return worst
    }

    /// A tensor of seeded uniform values in [lo, hi).
    public static func random(_ dims: [Int], seed: UInt64, lo: Float = -1, hi: Float = 1) -> Tensor {
        let t = Tensor(zeros: Shape(dims))
        var rng = SeededGenerator(seed: seed, stream: 0x4350_5543) // "CPUC"
        t.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = lo + (hi - lo) * rng.nextUnitFloat() } }
        return t
    }
}
