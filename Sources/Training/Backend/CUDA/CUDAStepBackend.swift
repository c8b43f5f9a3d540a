/// The backend a `CUDABackend` hands to one step's layers: every kernel runs on the GPU over
/// device mirrors of the tensors (`CUDADeviceMirrors`), so activations and gradients stay in
/// device memory between kernels and only the step's inputs and outputs cross the bus.
///
/// Valid only inside `CUDABackend.runStep`, on the thread that runs the step.
final class CUDAStepBackend: ComputeBackend, @unchecked Sendable {
    private let libs: CUDALibraries
    private let kernels: CUDAKernels
    private let mirrors: CUDADeviceMirrors
    private let blas: OpaquePointer?
    private let scratch: CUDALossScratch
    let name: String

    init(name: String, libs: CUDALibraries, kernels: CUDAKernels, mirrors: CUDADeviceMirrors, blas: OpaquePointer?, scratch: CUDALossScratch) {
        self.name = name
        self.libs = libs
        self.kernels = kernels
        self.mirrors = mirrors
        self.blas = blas
        self.scratch = scratch
    }

    func gemm(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, into c: Tensor, alpha: Float, beta: Float) throws {
        let g = try GemmShape(a, transposeA: transposeA, b, transposeB: transposeB, c)
        if g.m == 0 || g.n == 0 { return }
        let da = try mirrors.read(a), db = try mirrors.read(b)
        let dc = beta == 0 ? try mirrors.write(c) : try mirrors.read(c)
        // k = 0 scales c by beta.
        try libs.sgemmRowMajor(blas, g, transposeA: transposeA, transposeB: transposeB, alpha: alpha, da, db, beta: beta, dc)
    }

    func addBias(_ bias: Tensor, to x: Tensor) throws {
        let (_, width) = matrixDims(x)
        try requireShape(bias.count == width, "addBias: bias \(bias.shape) for rows of width \(width)")
        let b = try mirrors.read(bias), dx = try mirrors.read(x)
        try kernels.launch("tessera_add_bias", count: x.count, [.pointer(dx), .pointer(b), .int64(Int64(x.count)), .int32(Int32(width))])
    }

    func columnSums(_ x: Tensor, into out: Tensor, beta: Float) throws {
        let (rows, width) = matrixDims(x)
        try requireShape(out.count == width, "columnSums: out \(out.shape) for rows of width \(width)")
        let dx = try mirrors.read(x)
        let dout = beta == 0 ? try mirrors.write(out) : try mirrors.read(out)
        try kernels.launch("tessera_column_sums", count: width,
                           [.pointer(dx), .pointer(dout), .int64(Int64(rows)), .int32(Int32(width)), .float(beta)])
    }

    func activate(_ activation: ActivationFunction, _ x: Tensor, into y: Tensor) throws {
        try requireShape(x.count == y.count, "activate: \(x.shape) into \(y.shape)")
        let dx = try mirrors.read(x), dy = try mirrors.write(y)
        try kernels.launch("tessera_activate", count: x.count,
                           [.int32(Self.kind(activation)), .pointer(dx), .pointer(dy), .int64(Int64(x.count))])
    }

    func activationBackward(_ activation: ActivationFunction, output y: Tensor, gradOutput: Tensor, into gradInput: Tensor) throws {
        try requireShape(y.count == gradOutput.count && y.count == gradInput.count,
                         "activationBackward: \(y.shape), \(gradOutput.shape), \(gradInput.shape)")
        let dy = try mirrors.read(y), dg = try mirrors.read(gradOutput), dx = try mirrors.write(gradInput)
        try kernels.launch("tessera_activation_backward", count: y.count,
                           [.int32(Self.kind(activation)), .pointer(dy), .pointer(dg), .pointer(dx), .int64(Int64(y.count))])
    }

    func multiply(_ a: Tensor, _ b: Tensor, into c: Tensor) throws {
        try requireShape(a.count == b.count && a.count == c.count, "multiply: \(a.shape), \(b.shape), \(c.shape)")
        let da = try mirrors.read(a), db = try mirrors.read(b), dc = try mirrors.write(c)
        try kernels.launch("tessera_multiply", count: a.count, [.pointer(da), .pointer(db), .pointer(dc), .int64(Int64(a.count))])
    }

    func axpy(alpha: Float, _ x: Tensor, _ y: Tensor) throws {
        try requireShape(x.count == y.count, "axpy: \(x.shape) and \(y.shape)")
        let dx = try mirrors.read(x), dy = try mirrors.read(y)
        try kernels.launch("tessera_axpy", count: x.count, [.float(alpha), .pointer(dx), .pointer(dy), .int64(Int64(x.count))])
    }

    func softmax(_ logits: Tensor, into probabilities: Tensor) throws {
        let (n, c) = matrixDims(logits)
        try requireShape(probabilities.count == logits.count, "softmax: \(logits.shape) into \(probabilities.shape)")
        let dl = try mirrors.read(logits), dp = try mirrors.write(probabilities)
        try kernels.launch("tessera_softmax", count: n, [.pointer(dl), .pointer(dp), .int64(Int64(n)), .int32(Int32(c))])
    }

    func softmaxCrossEntropy(logits: Tensor, labels: Tensor, gradient: Tensor?) throws -> LossValue {
        let (n, c) = matrixDims(logits)
        try requireShape(labels.count == n, "softmaxCrossEntropy: \(n) rows, \(labels.count) labels")
        if let gradient { try requireShape(gradient.count == logits.count, "softmaxCrossEntropy: gradient \(gradient.shape)") }
        guard n > 0 else { return LossValue(loss: 0, correct: 0) }
        let dl = try mirrors.read(logits), dy = try mirrors.read(labels)
        let dg = try gradient.map { try mirrors.write($0) }
        let (rowLoss, rowHit) = try scratch.rows(n)
        try kernels.launch("tessera_softmax_xent", count: n, [
            .pointer(dl), .pointer(dy), .pointer(dg), .pointer(rowLoss), .pointer(rowHit), .int64(Int64(n)), .int32(Int32(c)),
            .float(1 / Float(n)),
        ])
        return try scratch.sum(n) { row in
            let value = labels.baseAddress[row]
            return TrainingError(.invalidData, "label \(value) in row \(row) is not a class id in 0..<\(c)")
        }
    }

    func sigmoidCrossEntropy(logits: Tensor, labels: Tensor, gradient: Tensor?) throws -> LossValue {
        try meanPointwiseLoss("sigmoidCrossEntropy", "tessera_sigmoid_xent", logits, labels, gradient, gradientFactor: 1, names: ("logits", "labels"))
    }

    func meanSquaredError(predictions: Tensor, targets: Tensor, gradient: Tensor?) throws -> LossValue {
        try meanPointwiseLoss("meanSquaredError", "tessera_mse", predictions, targets, gradient, gradientFactor: 2, names: ("predictions", "targets"))
    }

    /// A loss averaged over elements, computed by one elementwise `kernel` (gradient scaled by `gradientFactor` / n).
    private func meanPointwiseLoss(
        _ name: String, _ kernel: String, _ x: Tensor, _ y: Tensor, _ gradient: Tensor?, gradientFactor: Float, names: (String, String)
    ) throws -> LossValue {
        let n = x.count
        try requireShape(y.count == n, "\(name): \(n) \(names.0), \(y.count) \(names.1)")
        if let gradient { try requireShape(gradient.count == n, "\(name): gradient \(gradient.shape)") }
        guard n > 0 else { return LossValue(loss: 0, correct: 0) }
        try pointwiseLoss(kernel, x, y, gradient, scale: gradientFactor / Float(n))
        return try scratch.sum(n, badRow: nil)
    }

    private func pointwiseLoss(_ kernel: String, _ x: Tensor, _ y: Tensor, _ gradient: Tensor?, scale: Float) throws {
        let n = x.count
        let dx = try mirrors.read(x), dy = try mirrors.read(y)
        let dg = try gradient.map { try mirrors.write($0) }
        let (rowLoss, rowHit) = try scratch.rows(n)
        try kernels.launch(kernel, count: n, [
            .pointer(dx), .pointer(dy), .pointer(dg), .pointer(rowLoss), .pointer(rowHit), .int64(Int64(n)), .float(scale),
        ])
    }

    /// The kernels' activation code (0 relu, 1 sigmoid, 2 tanh, 3 linear).
    static func kind(_ activation: ActivationFunction) -> Int32 {
        switch activation {
        case .relu: 0
        case .sigmoid: 1
        case .tanh: 2
        case .linear: 3
        }
    }
}

/// Device rows for the losses' per-row values and hit flags, and their host-side sum.
final class CUDALossScratch {
    private let libs: CUDALibraries
    private var pointer: UnsafeMutableRawPointer?
    private var capacity = 0
    private var host: [Float] = []

    init(libs: CUDALibraries) { self.libs = libs }

    deinit { if let pointer { _ = libs.free(pointer) } }

    /// Two device arrays of `n` floats: per-row loss, then per-row hit flag.
    func rows(_ n: Int) throws -> (UnsafeMutableRawPointer, UnsafeMutableRawPointer) {
        if capacity < n {
            if let pointer { _ = libs.free(pointer) }
            pointer = nil
            try libs.check(libs.malloc(&pointer, 2 * n * 4), "cudaMalloc(\(2 * n * 4) bytes)")
            capacity = n
        }
        guard let pointer else { throw TrainingError(.unsupported, "CUDA: cudaMalloc returned no memory") }
        return (pointer, pointer + n * 4)
    }

    /// Copies the `n` rows back and returns their mean loss and hit count; a row flagged −1
    /// throws `badRow(row)`.
    func sum(_ n: Int, badRow: ((Int) -> TrainingError)?) throws -> LossValue {
        if host.count < 2 * n { host = [Float](repeating: 0, count: 2 * n) }
        let (rowLoss, rowHit) = try rows(n)
        try host.withUnsafeMutableBufferPointer { buffer in
            try libs.check(libs.memcpy(buffer.baseAddress, rowLoss, n * 4, CUDALibraries.deviceToHost), "cudaMemcpy (loss rows)")
            try libs.check(libs.memcpy(buffer.baseAddress! + n, rowHit, n * 4, CUDALibraries.deviceToHost), "cudaMemcpy (hit rows)")
        }
        var total: Double = 0
        var correct = 0
        for row in 0..<n {
            if host[n + row] < 0, let badRow { throw badRow(row) }
            total += Double(host[row])
            if host[n + row] > 0 { correct += 1 }
        }
        return LossValue(loss: Float(total / Double(n)), correct: correct)
    }
}
