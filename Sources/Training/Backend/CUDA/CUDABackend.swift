import Synchronization

/// A backend that runs on an NVIDIA GPU through the CUDA runtime, cuBLAS and NVRTC-compiled
/// kernels, all loaded at run time (the package builds and tests without CUDA).
///
/// Models whose layers all run on the backend (MLPs, logistic / softmax / linear regression)
/// train through `runStep`: parameters and the batch are uploaded once, every product and
/// elementwise kernel runs on device memory, and only the gradients (and two floats per row
/// for the loss) come back. Other models (CNN, wide & deep) call the kernels one at a time on
/// host tensors: matrix products go to cuBLAS with a copy each way, the rest runs on the CPU.
/// Without NVRTC every model takes that second path.
public struct CUDABackend: ComputeBackend {
    /// The GPU ordinal.
    public let device: Int
    /// The libraries, the GPU's compute capability and whether steps run on the device (for logs).
    public let details: String
    private let context: CUDAContext
    private let cpu: CPUBackend

    /// Opens GPU `device`; throws `unsupported` with the loader's or the runtime's message when
    /// CUDA or the GPU is absent.
    public init(device: Int = 0, threads: Int = 1) throws {
        let libs = try CUDALibraries.load()
        var count: Int32 = 0
        try libs.check(libs.getDeviceCount(&count), "cudaGetDeviceCount")
        guard device >= 0, device < Int(count) else {
            throw TrainingError(.unsupported, "CUDA: device cuda:\(device) requested but \(count) GPU(s) are visible")
        }
        try libs.check(libs.setDevice(Int32(device)), "cudaSetDevice(\(device))")
        try libs.check(libs.free(nil), "initialising the CUDA context")
        var major: Int32 = 0, minor: Int32 = 0
        try libs.check(libs.deviceGetAttribute(&major, CUDALibraries.computeCapabilityMajor, Int32(device)), "cudaDeviceGetAttribute")
        try libs.check(libs.deviceGetAttribute(&minor, CUDALibraries.computeCapabilityMinor, Int32(device)), "cudaDeviceGetAttribute")
        var handle: OpaquePointer?
        let status = libs.blasCreate(&handle)
        guard status == 0, handle != nil else { throw TrainingError(.unsupported, "CUDA: cublasCreate failed with status \(status)") }
        var kernels: CUDAKernels?
        var kernelNote: String
        do {
            let kernelLibs = try CUDAKernelLibraries.load()
            kernels = try CUDAKernels(libs: kernelLibs, computeCapability: (major, minor))
            kernelNote = "steps on the GPU (NVRTC \(kernelLibs.compiler.versionString), \(kernels!.architecture))"
        } catch let error as TrainingError {
            kernelNote = "matrix products only (\(error.message))"
        }
        self.device = device
        self.details = "cuda:\(device), compute capability \(major).\(minor), \(libs.paths.joined(separator: ", ")); \(kernelNote)"
        self.context = CUDAContext(libs: libs, kernels: kernels, handle: handle, device: Int32(device))
        self.cpu = CPUBackend(threads: threads)
    }

    /// "cuda:N".
    public var name: String { "cuda:\(device)" }

    /// Whether steps run entirely on the GPU (NVRTC compiled the kernels).
    public var runsStepsOnDevice: Bool { context.kernels != nil }

    /// Bytes uploaded to and downloaded from the GPU by steps so far.
    public var transferredBytes: (uploaded: Int, downloaded: Int) { context.transferredBytes }

    /// Runs `body` with a backend whose kernels work on device copies of the tensors: `inputs`
    /// are uploaded first, `outputs` copied back at the end (see `CUDAStepBackend`). Without
    /// NVRTC, `body` gets this backend.
    public func runStep<R: Sendable>(reading inputs: [Tensor], writing outputs: [Tensor], _ body: (any ComputeBackend) throws -> R) throws -> R {
        guard context.kernels != nil else { return try body(self) }
        return try context.step(name: name, inputs: inputs, outputs: outputs, body)
    }

    /// c = alpha · op(a) · op(b) + beta · c with `cublasSgemm` on staged copies (row-major via the transposed product).
    public func gemm(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, into c: Tensor, alpha: Float, beta: Float) throws {
        let g = try GemmShape(a, transposeA: transposeA, b, transposeB: transposeB, c)
        if g.m == 0 || g.n == 0 { return }
        if g.k == 0 { return try cpu.gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: c, alpha: alpha, beta: beta) }
        try context.stagedGemm(a, transposeA: transposeA, b, transposeB: transposeB, c, shape: g, alpha: alpha, beta: beta)
    }

    /// Bias add on the host.
    public func addBias(_ bias: Tensor, to x: Tensor) throws { try cpu.addBias(bias, to: x) }
    /// Column sums on the host.
    public func columnSums(_ x: Tensor, into out: Tensor, beta: Float) throws { try cpu.columnSums(x, into: out, beta: beta) }
    /// Activation on the host.
    public func activate(_ activation: ActivationFunction, _ x: Tensor, into y: Tensor) throws { try cpu.activate(activation, x, into: y) }
    /// Activation gradient on the host.
    public func activationBackward(_ activation: ActivationFunction, output y: Tensor, gradOutput: Tensor, into gradInput: Tensor) throws {
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
