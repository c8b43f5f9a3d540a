import TensorWire

/// A row-major f32 tensor: a shape over a contiguous region of a shared `TensorStorage`.
///
/// Tensors have reference semantics: copies and views share elements, and writing through
/// `withUnsafeMutableBufferPointer` is visible to every view of the same region.
public struct Tensor: Sendable, CustomStringConvertible {
    /// The shared element storage.
    public let storage: TensorStorage
    /// Index of this view's first element in `storage`.
    public let offset: Int
    /// The dimensions of this view.
    public let shape: Shape
    /// Number of elements in this view.
    public let count: Int

    /// Allocates a zero-filled tensor of `shape`.
    public init(zeros shape: Shape) {
        let n = shape.elementCount
        self.storage = TensorStorage(count: n)
        self.offset = 0
        self.shape = shape
        self.count = n
    }

    /// Allocates a zero-filled tensor with the given dimensions.
    public init(zeros dims: Int...) { self.init(zeros: Shape(dims)) }

    /// Allocates a tensor of `shape` holding `values` (row-major); throws when the counts differ.
    public init(shape: Shape, values: [Float]) throws {
        guard let n = shape.checkedElementCount, n == values.count else {
            throw TrainingError(.shapeMismatch, "tensor of shape \(shape) cannot hold \(values.count) values")
        }
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { src in
            guard let s = src.baseAddress else { return }
            storage.base.update(from: s, count: n)
        }
    }

    /// A view onto `count` elements of `storage` from `offset`, with `shape`.
    public init(storage: TensorStorage, offset: Int, shape: Shape) throws {
        guard let n = shape.checkedElementCount, offset >= 0, offset + n <= storage.count else {
            throw TrainingError(.shapeMismatch, "view of shape \(shape) at \(offset) exceeds storage of \(storage.count) elements")
        }
        self.storage = storage
        self.offset = offset
        self.shape = shape
        self.count = n
    }

    /// Unchecked view constructor for internal use where bounds were already validated.
    init(uncheckedStorage storage: TensorStorage, offset: Int, shape: Shape, count: Int) {
        self.storage = storage
        self.offset = offset
        self.shape = shape
        self.count = count
    }

    /// Pointer to this view's first element.
    public var baseAddress: UnsafeMutablePointer<Float> { storage.base + offset }

    /// Size of dim 0 (1 for a scalar).
    public var rows: Int { shape.dims.first ?? 1 }

    /// Elements per row along dim 0.
    public var columns: Int { shape.rank <= 1 ? 1 : shape.rowWidth }

    /// Calls `body` with the view's elements for reading.
    public func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<Float>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: baseAddress, count: count))
    }

    /// Calls `body` with the view's elements for writing (reference semantics: no copy is made).
    public func withUnsafeMutableBufferPointer<R, E: Error>(_ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeMutableBufferPointer(start: baseAddress, count: count))
    }

    /// The elements copied into an array (for tests and small results).
    public func toArray() -> [Float] {
        Array(UnsafeBufferPointer(start: baseAddress, count: count))
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) {
        baseAddress.update(repeating: value, count: count)
    }

    /// Copies the elements of `source` (same element count) into this view.
    public func copy(from source: Tensor) throws {
        guard source.count == count else {
            throw TrainingError(.shapeMismatch, "cannot copy \(source.shape) into \(shape)")
        }
        baseAddress.update(from: source.baseAddress, count: count)
    }

    /// "Tensor[2, 3]".
    public var description: String { "Tensor\(shape)" }
}
