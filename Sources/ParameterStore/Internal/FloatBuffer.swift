/// A 64-byte-aligned, fixed-size array of floats owned by one partition (values, a slot, or a sum).
/// Unchecked Sendable: its memory is only touched under the owning job's mutex.
final class FloatBuffer: @unchecked Sendable {
    /// The elements; valid for the buffer's lifetime.
    let buffer: UnsafeMutableBufferPointer<Float>

    /// Allocates `count` elements set to `value`.
    init(count: Int, repeating value: Float) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        let typed = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        buffer = UnsafeMutableBufferPointer(start: typed, count: count)
        buffer.initialize(repeating: value)
    }

    deinit { UnsafeMutableRawPointer(buffer.baseAddress!).deallocate() }

    /// Number of elements.
    var count: Int { buffer.count }
    /// Start of the elements.
    var base: UnsafeMutablePointer<Float> { buffer.baseAddress! }
    /// A read-only view.
    var readOnly: UnsafeBufferPointer<Float> { UnsafeBufferPointer(buffer) }
}
