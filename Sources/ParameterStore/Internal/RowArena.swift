/// Parallel, 64-byte-aligned float arenas of fixed-width rows (e.g. values + optimizer slots), grown by doubling.
///
/// Rows are addressed by a dense slot number; pointers are only valid until the next `append`.
/// Unchecked Sendable: only touched under the owning job's mutex.
final class RowArena: @unchecked Sendable {
    /// Floats per row.
    let width: Int
    /// Rows in use.
    private(set) var count = 0
    /// Rows allocated.
    private(set) var capacity = 0
    /// One base pointer per parallel array (nil while capacity is 0).
    private var bases: [UnsafeMutablePointer<Float>?]

    /// Creates an empty arena of `arrays` parallel arrays of `width`-float rows.
    init(width: Int, arrays: Int) {
        self.width = width
        bases = Array(repeating: nil, count: arrays)
    }

    deinit {
        for b in bases { b.map { UnsafeMutableRawPointer($0).deallocate() } }
    }

    /// Number of parallel arrays.
    var arrays: Int { bases.count }

    /// Bytes allocated.
    var allocatedBytes: Int { capacity * width * bases.count * MemoryLayout<Float>.stride }

    /// Row `slot` of array `array`.
    func row(_ slot: Int, array: Int = 0) -> UnsafeMutablePointer<Float> {
        bases[array]! + slot * width
    }

    /// Appends one row (uninitialised contents); returns its slot.
    func append() -> Int {
        if count == capacity { grow() }
        count += 1
        return count - 1
    }

    /// Forgets every row, keeping the memory.
    func removeAll() { count = 0 }

    private func grow() {
        let newCapacity = max(16, capacity * 2)
        let elements = max(newCapacity * width, 1)
        for a in bases.indices {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: elements * MemoryLayout<Float>.stride, alignment: 64)
            let typed = raw.bindMemory(to: Float.self, capacity: elements)
            if let old = bases[a] {
                typed.update(from: old, count: count * width)
                UnsafeMutableRawPointer(old).deallocate()
            }
            bases[a] = typed
        }
        capacity = newCapacity
    }
}
