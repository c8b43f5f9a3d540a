import TensorWire

/// A reusable activation/gradient buffer of `width` columns that grows to the largest batch
/// seen and hands out views of the first n rows, so steady-state steps allocate nothing.
public final class ScratchBuffer {
    /// Columns per row.
    public let width: Int
    private var storage: Tensor

    /// Creates an empty buffer of `width` columns.
    public init(width: Int) {
        self.width = width
        self.storage = Tensor(zeros: Shape([0, width]))
    }

    /// A [rows, width] view, reallocating only when `rows` exceeds every earlier request.
    public func view(rows: Int) -> Tensor {
        if rows > storage.rows {
            storage = Tensor(zeros: Shape([rows, width]))
        }
        return storage.prefixRows(rows)
    }
}
