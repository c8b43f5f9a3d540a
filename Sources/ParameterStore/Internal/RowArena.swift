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

    /// Bytes of one row across every parallel array.
    var rowBytes: Int { width * bases.count * MemoryLayout<Float>.stride }

    /// The capacity growth by doubling reaches to hold `rows` rows (the current one when it already does); nil on overflow.
    func capacity(toHold rows: Int) -> Int? {
        var c = capacity
        while c < rows {
            let (doubled, overflow) = c.multipliedReportingOverflow(by: 2)
            guard !overflow else { return nil }
            c = max(16, doubled)
        }
        return c
    }

    /// Bytes the arena must allocate beyond what it holds to hold `rows` rows; nil when that overflows an Int.
    func growthBytes(toHold rows: Int) -> Int? {
        guard let c = capacity(toHold: rows) else { return nil }
        let (bytes, overflow) = (c - capacity).multipliedReportingOverflow(by: rowBytes)
        return overflow ? nil : bytes
    }

    /// Grows (by doubling) until `rows` rows fit; reserve `growthBytes(toHold:)` from the budget first.
    func reserveCapacity(_ rows: Int) {
        guard let c = capacity(toHold: rows), c > capacity else { return }
        grow(to: c)
    }

    /// Appends one row (uninitialised contents); returns its slot.
    func append() -> Int {
        if count == capacity { grow(to: max(16, capacity * 2)) }
        count += 1
        return count - 1
    }

    /// Forgets every row, keeping the memory.
    func removeAll() { count = 0 }

    private func grow(to newCapacity: Int) {
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
