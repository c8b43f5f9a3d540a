import Foundation

/// A small seeded generator (SplitMix64): the same seed gives the same draws on every platform and Swift version.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator for trial `number` of a study seeded `seed` (each trial gets its own stream).
    init(seed: UInt64, stream: Int) {
        state = seed ^ (UInt64(truncatingIfNeeded: stream) &* 0x9E37_79B9_7F4A_7C15)
        _ = next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [lo, hi].
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// Uniform index in 0..<count (count > 0).
    mutating func index(_ count: Int) -> Int { Int(truncatingIfNeeded: next() % UInt64(count)) }

    /// A standard normal draw (Box–Muller).
    mutating func normal() -> Double {
        let u1 = Swift.max(unit(), 0x1p-60), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
