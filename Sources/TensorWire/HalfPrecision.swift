/// Float ↔ IEEE binary16 and bfloat16 conversions, scalar and over buffers (both round to nearest even).
public enum HalfPrecision {
    /// The binary16 bit pattern nearest to `value` (ties to even; overflow → ±inf; NaN → quiet NaN).
    @inlinable @inline(__always)
    public static func float16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = bits & 0x8000_0000
        var f = bits ^ sign
        let o: UInt32
        if f >= 0x4780_0000 {  // ≥ 65536 (after rounding: inf) or inf/NaN
            o = f > 0x7F80_0000 ? 0x7E00 : 0x7C00
        } else if f < 0x3880_0000 {  // below the smallest normal half: subnormal or zero
            let magic: UInt32 = 0x3F00_0000  // 0.5: aligns the mantissa so the FPU rounds to even
            o = (Float(bitPattern: f) + Float(bitPattern: magic)).bitPattern &- magic
        } else {
            let mantissaOdd = (f >> 13) & 1
            f = f &+ 0xC800_0FFF  // rebias the exponent (15 - 127) << 23, plus the rounding bias 0xfff
            f = f &+ mantissaOdd
            o = f >> 13
        }
        return UInt16(truncatingIfNeeded: o | (sign >> 16))
    }

    /// The Float equal to a binary16 bit pattern (exact).
    @inlinable @inline(__always)
    public static func float(float16Bits bits: UInt16) -> Float {
        let h = UInt32(bits)
        var o = (h & 0x7FFF) << 13
        let exponent = o & 0x0F80_0000
        o = o &+ 0x3800_0000  // (127 - 15) << 23
        if exponent == 0x0F80_0000 {  // inf / NaN
            o = o &+ 0x3800_0000
        } else if exponent == 0 {  // zero / subnormal: renormalise through the FPU
            o = o &+ 0x0080_0000
            o = (Float(bitPattern: o) - Float(bitPattern: 0x3880_0000)).bitPattern
        }
        return Float(bitPattern: o | ((h & 0x8000) << 16))
    }

    /// The bfloat16 bit pattern nearest to `value` (ties to even; NaN stays a quiet NaN).
    @inlinable @inline(__always)
    public static func bfloat16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// The Float equal to a bfloat16 bit pattern (exact).
    @inlinable @inline(__always)
    public static func float(bfloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Writes `source` as little-endian binary16 into `destination`; converts min(source.count, destination.count / 2) elements and returns that count.
    @discardableResult
    public static func encodeFloat16(_ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(source.count, destination.count / 2)
        guard n > 0, let src = source.baseAddress, let dst = destination.baseAddress else { return 0 }
        for i in 0..<n { dst.storeBytes(of: float16Bits(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        return n
    }

    /// Reads little-endian binary16 from `source` into `destination`; converts min(source.count / 2, destination.count) elements and returns that count.
    @discardableResult
    public static func decodeFloat16(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) -> Int {
        let n = min(source.count / 2, destination.count)
        guard n > 0, let src = source.baseAddress, let dst = destination.baseAddress else { return 0 }
        for i in 0..<n { dst[i] = float(float16Bits: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        return n
    }

    /// Writes `source` as little-endian bfloat16 into `destination`; converts min(source.count, destination.count / 2) elements and returns that count.
    @discardableResult
    public static func encodeBFloat16(_ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(source.count, destination.count / 2)
        guard n > 0, let src = source.baseAddress, let dst = destination.baseAddress else { return 0 }
        for i in 0..<n { dst.storeBytes(of: bfloat16Bits(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        return n
    }

    /// Reads little-endian bfloat16 from `source` into `destination`; converts min(source.count / 2, destination.count) elements and returns that count.
    @discardableResult
    public static func decodeBFloat16(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) -> Int {
        let n = min(source.count / 2, destination.count)
        guard n > 0, let src = source.baseAddress, let dst = destination.baseAddress else { return 0 }
        for i in 0..<n { dst[i] = float(bfloat16Bits: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        return n
    }

    /// Converts Float to Swift `Float16` values (ties to even).
    @discardableResult
    public static func convert(_ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutableBufferPointer<Float16>) -> Int {
        encodeFloat16(source, into: UnsafeMutableRawBufferPointer(destination))
    }

    /// Converts Swift `Float16` values to Float (exact).
    @discardableResult
    public static func convert(_ source: UnsafeBufferPointer<Float16>, into destination: UnsafeMutableBufferPointer<Float>) -> Int {
        decodeFloat16(UnsafeRawBufferPointer(source), into: destination)
    }
}
