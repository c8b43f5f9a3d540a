import Synchronization

/// A backend that runs matrix products on an NVIDIA GPU through cuBLAS (loaded at run time) and
/// everything else through `CPUBackend`.
///
/// Tensors live in host memory in this version, so each `gemm` copies its operands to device
/// buffers (grown on demand, reused across calls) and the result back; elementwise kernels stay on
/// the CPU because a host round trip per elementwise op would cost more than it saves. Moving
/// tensors to device memory (and NVRTC-compiled elementwise kernels) is the next step.
public struct CUDABackend: ComputeBackend {
    /// The GPU ordinal.
    public let device: Int
    private let context: CUDAContext
    private let cpu: CPUBackend

    /// Opens GPU `device`; throws `unsupported` with the dlopen / cudaGetDeviceCount message when
    /// CUDA or the GPU is absent.
    public init(device: Int = 0, threads: Int = 1) throws {
        let libs = try CUDALibraries.load()
        var count: Int32 = 0
        try libs.check(libs.getDeviceCount(&count), "cudaGetDeviceCount")
        guard device >= 0, device < Int(count) else {
            throw TrainingError(.unsupported, "CUDA: device cuda:\(device) requested but \(count) GPU(s) are visible")
        }
        try libs.check(libs.setDevice(Int32(device)), "cudaSetDevice(\(device))")
        var handle: OpaquePointer?
        let status = libs.blasCreate(&handle)
        guard status == 0, handle != nil else { throw TrainingError(.unsupported, "CUDA: cublasCreate failed with status \(status)") }
        self.device = device
        self.context = CUDAContext(libs: libs, handle: handle, device: Int32(device))
        self.cpu = CPUBackend(threads: threads)
    }

    /// "cuda:N".
    public var name: String { "cuda:\(device)" }

    /// c = alpha · op(a) · op(b) + beta · c with `cublasSgemm` (row-major via the transposed product).
    public func gemm(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, into c: Tensor, alpha: Float, beta: Float) throws {
        let (ar, ac) = matrixDims(a)
        let (br, bc) = matrixDims(b)
        let (cr, cc) = matrixDims(c)
        let m = transposeA ? ac : ar, k = transposeA ? ar : ac
        let kb = transposeB ? bc : br, n = transposeB ? br : bc
        try requireShape(k == kb && m == cr && n == cc, "gemm: op(a) \(m)×\(k), op(b) \(kb)×\(n), c \(cr)×\(cc)")
        if m == 0 || n == 0 { return }
        if k == 0 { return try cpu.gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: c, alpha: alpha, beta: beta) }
        try context.gemm(a, transposeA: transposeA, b, transposeB: transposeB, c, m: m, n: n, k: k,
                         lda: max(ac, 1), ldb: max(bc, 1), ldc: max(cc, 1), alpha: alpha, beta: beta)
    }

    /// Bias add on the host.
    public func addBias(_ bias: Tensor, to x: Tensor) throws { try cpu.addBias(bias, to: x) }
    /// Column sums on the host.
    public func columnSums(_ x: Tensor, into out: Tensor, beta: Float) throws { try cpu.columnSums(x, into: out, beta: beta) }
    /// Activation on the host.
    public func activate(_ activation: Activation, _ x: Tensor, into y: Tensor) throws { try cpu.activate(activation, x, into: y) }
    /// Activation gradient on the host.
    public func activationBackward(_ activation: Activation, output y: Tensor, gradOutput: Tensor, into gradInput: Tensor) throws {
        try cpu.activationBackward(activation, output: y, gradOutput: gradOutput, into: gradInput)
    }
    /// Elementwise product on the host.
    public func multiply(_ a: Tensor, _ b: Tensor, into c: Tensor) throws { try cpu.multiply(a, b, into: c) }
    /// y += alpha · x on the host.
    public func axpy(alpha: Float, _ x: Tensor, _ y: Tensor) throws { try cpu.axpy(alpha: alpha, x, y) }
    /// Softmax on the host.
    public func softmax(_ logits: Tensor, into probabilities: Tensor) throws { try cpu.softmax(logits, into: probabilities) }
    /// Softmax cross-entropy on the host.
    public func softmaxCrossEntropy(logits: Tensor, labels: Tensor, gradient: Tensor?) throws -> LossValue {
        try cpu.softmaxCrossEntropy(logits: logits, labels: labels, gradient: gradient)
    }
    /// Sigmoid cross-entropy on the host.
    public func sigmoidCrossEntropy(logits: Tensor, labels: Tensor, gradient: Tensor?) throws -> LossValue {
        try cpu.sigmoidCrossEntropy(logits: logits, labels: labels, gradient: gradient)
    }
    /// Mean squared error on the host.
    public func meanSquaredError(predictions: Tensor, targets: Tensor, gradient: Tensor?) throws -> LossValue {
        try cpu.meanSquaredError(predictions: predictions, targets: targets, gradient: gradient)
    }
}

/// The cuBLAS handle and the device staging buffers of one backend, used under a lock.
final class CUDAContext: Sendable {
    private let libs: CUDALibraries
    private let state: Mutex<Buffers>

    struct Buffers: @unchecked Sendable {
        var handle: OpaquePointer?
        var device: Int32
        var pointers: [UnsafeMutableRawPointer?] = [nil, nil, nil]
        var sizes: [Int] = [0, 0, 0]
    }

    init(libs: CUDALibraries, handle: OpaquePointer?, device: Int32) {
        self.libs = libs
        self.state = Mutex(Buffers(handle: handle, device: device))
    }

    func gemm(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, _ c: Tensor, m: Int, n: Int, k: Int,
              lda: Int, ldb: Int, ldc: Int, alpha: Float, beta: Float) throws {
        let libs = self.libs
        try state.withLock { s throws in
            try libs.check(libs.setDevice(s.device), "cudaSetDevice")
            func buffer(_ i: Int, _ count: Int) throws -> UnsafeMutableRawPointer? {
                let bytes = max(count, 1) * 4
                if s.sizes[i] < bytes {
                    if s.pointers[i] != nil { _ = libs.free(s.pointers[i]) }
                    var p: UnsafeMutableRawPointer?
                    try libs.check(libs.malloc(&p, bytes), "cudaMalloc(\(bytes) bytes)")
                    s.pointers[i] = p
                    s.sizes[i] = bytes
                }
                return s.pointers[i]
            }
            let da = try buffer(0, a.count), db = try buffer(1, b.count), dc = try buffer(2, c.count)
            try libs.check(libs.memcpy(da, a.baseAddress, a.count * 4, CUDALibraries.hostToDevice), "cudaMemcpy")
            try libs.check(libs.memcpy(db, b.baseAddress, b.count * 4, CUDALibraries.hostToDevice), "cudaMemcpy")
            if beta != 0 { try libs.check(libs.memcpy(dc, c.baseAddress, c.count * 4, CUDALibraries.hostToDevice), "cudaMemcpy") }
            // Row-major C = op(A) op(B) is column-major Cᵀ = op(B)ᵀ op(A)ᵀ: swap the operands.
            var al = alpha, be = beta
            let status = libs.sgemm(s.handle, transposeB ? 1 : 0, transposeA ? 1 : 0, Int32(n), Int32(m), Int32(k), &al,
                                    db, Int32(ldb), da, Int32(lda), &be, dc, Int32(ldc))
            guard status == 0 else { throw TrainingError(.unsupported, "CUDA: cublasSgemm failed with status \(status)") }
            try libs.check(libs.memcpy(c.baseAddress, dc, c.count * 4, CUDALibraries.deviceToHost), "cudaMemcpy")
        }
    }
}
