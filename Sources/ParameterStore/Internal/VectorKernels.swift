/// Elementwise helpers on raw float pointers: simple loops the compiler vectorises.
enum VectorKernels {
    /// True when all `count` floats are finite (no NaN, no ±Inf).
    static func allFinite(_ x: UnsafePointer<Float>, _ count: Int) -> Bool {
        // x * 0 is 0 for finite x and NaN for NaN/Inf, so one NaN poisons the sum.
        var acc = SIMD16<Float>(repeating: 0)
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 16 <= count {
            acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * 0
            i += 16
        }
        var tail: Float = 0
        while i < count {
            tail += x[i] * 0
            i += 1
        }
        return (acc.sum() + tail) == 0
    }

    /// dst[i] = src[i].
    static func copy(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ count: Int) {
        dst.update(from: src, count: count)
    }

    /// dst[i] += src[i].
    static func add(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ count: Int) {
        for i in 0..<count { dst[i] += src[i] }
    }
}
