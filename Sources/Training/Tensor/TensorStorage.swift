#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A 64-byte aligned, zero-initialised block of f32 elements owned by one or more `Tensor` views.
///
/// It is `@unchecked Sendable`: the storage is shared by reference and callers make sure one
/// writer at a time touches a region (a batch is produced on one thread, then handed over).
public final class TensorStorage: @unchecked Sendable {
    /// First element.
    public let base: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int

    /// Allocates `count` zeroed elements (at least one is allocated so `base` is always valid).
    public init(count: Int) {
        let n = max(count, 0)
        var raw: UnsafeMutableRawPointer?
        let bytes = max(n, 1) * MemoryLayout<Float>.stride
        if posix_memalign(&raw, 64, bytes) != 0 || raw == nil {
            fatalError("TensorStorage: out of memory allocating \(bytes) bytes")
        }
        memset(raw!, 0, bytes)
        base = raw!.bindMemory(to: Float.self, capacity: max(n, 1))
        self.count = n
    }

    deinit { free(base) }
}
