import TensorWire

extension Tensor {
    /// A view of rows `range` along dim 0 (no copy); throws when the range is out of bounds.
    public func rows(_ range: Range<Int>) throws -> Tensor {
        guard shape.rank >= 1, range.lowerBound >= 0, range.upperBound <= rows else {
            throw TrainingError(.shapeMismatch, "rows \(range) out of bounds for \(shape)")
        }
        var dims = shape.dims
        dims[0] = range.count
        let width = shape.rowWidth
        return Tensor(uncheckedStorage: storage, offset: offset + range.lowerBound * width, shape: Shape(dims), count: range.count * width)
    }

    /// The same elements seen with another shape of equal element count (no copy).
    public func reshaped(_ newShape: Shape) throws -> Tensor {
        guard let n = newShape.checkedElementCount, n == count else {
            throw TrainingError(.shapeMismatch, "cannot reshape \(shape) to \(newShape)")
        }
        return Tensor(uncheckedStorage: storage, offset: offset, shape: newShape, count: n)
    }

    /// The first `n` rows; used to run a partial last batch through buffers sized for a full one.
    func prefixRows(_ n: Int) -> Tensor {
        if n == rows { return self }
        var dims = shape.dims
        dims[0] = n
        let width = shape.rowWidth
        return Tensor(uncheckedStorage: storage, offset: offset, shape: Shape(dims), count: n * width)
    }
}
