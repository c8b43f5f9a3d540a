import CBLAS

/// The CPU backend: OpenBLAS for matrix products, SIMD loops for elementwise work.
///
/// OpenBLAS's thread count is process-wide: creating a backend sets it for the whole process,
/// so a process should use one thread setting at a time.
public struct CPUBackend: ComputeBackend {
    /// Threads OpenBLAS uses for matrix products.
    public let threads: Int

    /// Creates the backend and sets OpenBLAS to `threads` threads (at least 1).
    public init(threads: Int = 1) {
        self.threads = max(1, threads)
        openblas_set_num_threads(Int32(self.threads))
    }

    /// "cpu(threads: N)".
    public var name: String { "cpu(threads: \(threads))" }

    /// c = alpha · op(a) · op(b) + beta · c through `cblas_sgemm`.
    public func gemm(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, into c: Tensor, alpha: Float, beta: Float) throws {
        let g = try GemmShape(a, transposeA: transposeA, b, transposeB: transposeB, c)
        if g.m == 0 || g.n == 0 { return }
        if g.k == 0 {
            VectorKernels.scale(c.baseAddress, count: c.count, by: beta)
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(g.m), Int32(g.n), Int32(g.k),
                    alpha, a.baseAddress, Int32(g.lda),
                    b.baseAddress, Int32(g.ldb),
                    beta, c.baseAddress, Int32(g.ldc))
    }

    /// y += alpha · x through `cblas_saxpy`.
    public func axpy(alpha: Float, _ x: Tensor, _ y: Tensor) throws {
        try requireShape(x.count == y.count, "axpy: \(x.shape) vs \(y.shape)")
        if x.count == 0 { return }
        cblas_saxpy(Int32(x.count), alpha, x.baseAddress, 1, y.baseAddress, 1)
    }
}
