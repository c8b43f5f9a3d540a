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
