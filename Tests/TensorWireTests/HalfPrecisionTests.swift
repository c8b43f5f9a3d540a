import Testing
import TensorWire

@Suite("Half precision")
struct HalfPrecisionTests {
    @Test("every binary16 pattern converts to the same Float as Swift's Float16")
    func float16ToFloatExhaustive() {
        for bits in 0...UInt16.max {
            let ours = HalfPrecision.float(float16Bits: bits)
            let reference = Float(Float16(bitPattern: bits))
            if reference.isNaN {
                #expect(ours.isNaN)
            } else if ours.bitPattern != reference.bitPattern {
                Issue.record("binary16 0x\(String(bits, radix: 16)): got \(ours), expected \(reference)")
            }
        }
    }

    @Test("Float to binary16 rounds to nearest even like Swift's Float16")
    func floatToFloat16() {
        var rng = SeededGenerator(seed: 3)
        var samples: [Float] = [0, -0, 1, -1, 65504, 65519.99, 65520, -65520, 1e10, .infinity, -.infinity,
                                .leastNonzeroMagnitude, 5.96e-8, 2.98e-8, 2.9802322e-8, 8.9e-8, 6.1e-5, 0.1, 1.0009766, 1.00048828125]
        for _ in 0..<50_000 { samples.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))) }
        for _ in 0..<50_000 { samples.append(Float(rng.nextNormal()) * 100) }
        // Every exact midpoint between adjacent halves.
        for bits in stride(from: UInt16(0), to: 0x7C00, by: 7) {
            let lo = Double(Float16(bitPattern: bits)), hi = Double(Float16(bitPattern: bits + 1))
            samples.append(Float((lo + hi) / 2))
        }
        for x in samples where !x.isNaN {
            let ours = HalfPrecision.float16Bits(x)
            let reference = Float16(x).bitPattern
            if ours != reference {
                Issue.record("\(x) (0x\(String(x.bitPattern, radix: 16))): got 0x\(String(ours, radix: 16)), expected 0x\(String(reference, radix: 16))")
            }
        }
        #expect(Float16(bitPattern: HalfPrecision.float16Bits(.nan)).isNaN)
    }

    @Test("bfloat16 rounds to nearest even and converts back exactly")
    func bfloat16() {
        #expect(HalfPrecision.bfloat16Bits(1) == 0x3F80)
        #expect(HalfPrecision.bfloat16Bits(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie, even below
        #expect(HalfPrecision.bfloat16Bits(Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie, even above
        #expect(HalfPrecision.bfloat16Bits(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(HalfPrecision.bfloat16Bits(.greatestFiniteMagnitude) == 0x7F80)
        #expect(HalfPrecision.bfloat16Bits(-.infinity) == 0xFF80)
        #expect(HalfPrecision.float(bfloat16Bits: HalfPrecision.bfloat16Bits(.nan)).isNaN)
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<20_000 {
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard x.isFinite else { continue }
            let b = HalfPrecision.bfloat16Bits(x)
            let lo = x.bitPattern >> 16
            let candidates = [lo, lo + 1].map { Double(Float(bitPattern: $0 << 16)) }
            let d = candidates.map { abs($0 - Double(x)) }
            let expected: UInt32 = d[0] < d[1] ? lo : d[1] < d[0] ? lo + 1 : (lo & 1 == 0 ? lo : lo + 1)
            if UInt32(b) != expected { Issue.record("\(x): got 0x\(String(b, radix: 16)), expected 0x\(String(expected, radix: 16))") }
            #expect(HalfPrecision.float(bfloat16Bits: UInt16(lo)).bitPattern == x.bitPattern & 0xFFFF_0000)
        }
    }

    @Test("buffer conversions match the scalar ones and report the converted count")
    func buffers() {
        let values: [Float] = (0..<37).map { Float($0) * 0.37 - 5 }
        var raw = [UInt8](repeating: 0, count: 74)
        var back = [Float](repeating: 0, count: 37)
        let n = values.withUnsafeBufferPointer { src in raw.withUnsafeMutableBytes { HalfPrecision.encodeFloat16(src, into: $0) } }
        #expect(n == 37)
        raw.withUnsafeBytes { src in back.withUnsafeMutableBufferPointer { _ = HalfPrecision.decodeFloat16(src, into: $0) } }
        #expect(back == values.map { Float(Float16($0)) })
        values.withUnsafeBufferPointer { src in raw.withUnsafeMutableBytes { _ = HalfPrecision.encodeBFloat16(src, into: $0) } }
        raw.withUnsafeBytes { src in back.withUnsafeMutableBufferPointer { _ = HalfPrecision.decodeBFloat16(src, into: $0) } }
        #expect(back == values.map { HalfPrecision.float(bfloat16Bits: HalfPrecision.bfloat16Bits($0)) })
        let short = values.withUnsafeBufferPointer { src in raw.withUnsafeMutableBytes { HalfPrecision.encodeFloat16(src, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<9])) } }
        #expect(short == 4)
    }
}
