import Synchronization

/// One backend's GPU state — the cuBLAS handle, staging buffers, device mirrors — used under a
/// lock, so steps and staged products on one backend run one at a time.
final class CUDAContext: Sendable {
    let libs: CUDALibraries
    let kernels: CUDAKernels?
    private let state: Mutex<State>

    final class State: @unchecked Sendable {
        let libs: CUDALibraries
        let handle: OpaquePointer?
        let device: Int32
        var staging: [UnsafeMutableRawPointer?] = [nil, nil, nil]
        var stagingBytes: [Int] = [0, 0, 0]
        let mirrors: CUDADeviceMirrors
        let lossScratch: CUDALossScratch

        init(libs: CUDALibraries, handle: OpaquePointer?, device: Int32) {
            self.libs = libs
            self.handle = handle
            self.device = device
            self.mirrors = CUDADeviceMirrors(libs: libs)
            self.lossScratch = CUDALossScratch(libs: libs)
        }

        deinit {
            mirrors.freeAll()
            for p in staging where p != nil { _ = libs.free(p) }
            _ = libs.blasDestroy(handle)
        }

        /// A staging buffer of at least `count` floats.
        func buffer(_ i: Int, _ count: Int) throws -> UnsafeMutableRawPointer? {
            let bytes = max(count, 1) * 4
            if stagingBytes[i] < bytes {
                if staging[i] != nil { _ = libs.free(staging[i]) }
                staging[i] = nil
                stagingBytes[i] = 0
                var p: UnsafeMutableRawPointer?
                try libs.check(libs.malloc(&p, bytes), "cudaMalloc(\(bytes) bytes)")
                staging[i] = p
                stagingBytes[i] = bytes
            }
            return staging[i]
        }
    }

    init(libs: CUDALibraries, kernels: CUDAKernels?, handle: OpaquePointer?, device: Int32) {
        self.libs = libs
        self.kernels = kernels
        self.state = Mutex(State(libs: libs, handle: handle, device: device))
    }

    var transferredBytes: (uploaded: Int, downloaded: Int) {
        state.withLock { ($0.mirrors.uploadedBytes, $0.mirrors.downloadedBytes) }
    }

    /// Runs one step on device mirrors: uploads `inputs`, runs `body`, downloads `outputs`.
    func step<R: Sendable>(name: String, inputs: [Tensor], outputs: [Tensor], _ body: (any ComputeBackend) throws -> R) throws -> R {
        guard let kernels else { throw TrainingError(.unsupported, "CUDA: kernels are not loaded") }
        let libs = self.libs
        return try state.withLock { s throws -> R in
            try libs.check(libs.setDevice(s.device), "cudaSetDevice")
            s.mirrors.beginStep()
            defer { s.mirrors.endStep() }
            let backend = CUDAStepBackend(name: name, libs: libs, kernels: kernels, mirrors: s.mirrors, blas: s.handle, scratch: s.lossScratch)
            for tensor in inputs { _ = try s.mirrors.read(tensor) }
            let result = try body(backend)
            for tensor in outputs { try s.mirrors.download(tensor) }
            return result
        }
    }

    /// cublasSgemm on staged copies of host tensors (copies each way).
    func stagedGemm(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, _ c: Tensor, shape: GemmShape,
                    alpha: Float, beta: Float) throws {
        let libs = self.libs
        try state.withLock { s throws in
            try libs.check(libs.setDevice(s.device), "cudaSetDevice")
            let da = try s.buffer(0, a.count), db = try s.buffer(1, b.count), dc = try s.buffer(2, c.count)
            try libs.check(libs.memcpy(da, a.baseAddress, a.count * 4, CUDALibraries.hostToDevice), "cudaMemcpy")
            try libs.check(libs.memcpy(db, b.baseAddress, b.count * 4, CUDALibraries.hostToDevice), "cudaMemcpy")
            if beta != 0 { try libs.check(libs.memcpy(dc, c.baseAddress, c.count * 4, CUDALibraries.hostToDevice), "cudaMemcpy") }
            try libs.sgemmRowMajor(s.handle, shape, transposeA: transposeA, transposeB: transposeB, alpha: alpha, da, db, beta: beta, dc)
            try libs.check(libs.memcpy(c.baseAddress, dc, c.count * 4, CUDALibraries.deviceToHost), "cudaMemcpy")
        }
    }
}
