/// Throws a shape-mismatch error with `message` unless `condition` holds.
@inline(__always)
func requireShape(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw TrainingError(.shapeMismatch, message()) }
}

/// Rows and columns of a tensor seen as a matrix (rank 1 → n × 1, rank 0 → 1 × 1).
@inline(__always)
func matrixDims(_ t: Tensor) -> (rows: Int, columns: Int) {
    switch t.shape.rank {
    case 0: (1, 1)
    case 1: (t.shape.dims[0], 1)
    default: (t.shape.dims[0], t.shape.rowWidth)
    }
}

/// The checked sizes of c = op(a) · op(b) over row-major matrices: op(a) is m × k, op(b) k × n, c m × n;
/// `lda`, `ldb`, `ldc` are the stored row widths (at least 1), as BLAS takes them.
struct GemmShape {
    let m: Int, n: Int, k: Int
    let lda: Int, ldb: Int, ldc: Int

    /// Throws a shape mismatch naming all three operands unless they fit.
    init(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, _ c: Tensor) throws {
        let (ar, ac) = matrixDims(a)
        let (br, bc) = matrixDims(b)
        let (cr, cc) = matrixDims(c)
        m = transposeA ? ac : ar
        k = transposeA ? ar : ac
        let kb = transposeB ? bc : br
        n = transposeB ? br : bc
        try requireShape(k == kb && m == cr && n == cc, "gemm: op(a) \(m)×\(k), op(b) \(kb)×\(n), c \(cr)×\(cc)")
        lda = max(ac, 1)
        ldb = max(bc, 1)
        ldc = max(cc, 1)
    }
}
