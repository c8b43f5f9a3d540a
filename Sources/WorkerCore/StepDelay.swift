import Foundation

/// A simulated compute time added to every training step (`workerd --step-delay DIST`), drawn per step from a
/// distribution with a seeded generator, so many small workerd processes on one machine behave like hosts of uneven
/// speed. Draws are in milliseconds, always finite and within `0...StepDelay.maxMilliseconds`.
public struct StepDelay: Sendable, Equatable {
    /// Where step times come from.
    public enum Distribution: Sendable, Equatable {
        /// Every step waits exactly this many milliseconds.
        case constant(ms: Double)
        /// Normal with this mean and standard deviation (ms); negative draws are drawn again (truncated at 0).
        case normal(meanMs: Double, stddevMs: Double)
        /// Log-normal with this median (ms) and `sigma`, the standard deviation of the underlying normal.
        case lognormal(medianMs: Double, sigma: Double)
        /// Each step takes one of these recorded step times (ms), chosen uniformly (a bootstrap of the file's lines).
        case empirical(samplesMs: [Double])
    }

    /// Largest delay any form may name or draw: one hour, in milliseconds.
    public static let maxMilliseconds = 3_600_000.0
    /// Largest `sigma` a log-normal may have.
    public static let maxSigma = 10.0
    /// Most step times an empirical file may hold.
    public static let maxEmpiricalLines = 100_000
    /// Most bytes an empirical file may hold.
    public static let maxEmpiricalBytes = 8 << 20

    /// The distribution steps are drawn from.
    public var distribution: Distribution
    /// The generator's seed: the same seed draws the same sequence.
    public var seed: UInt64

    /// A step delay drawing from `distribution` with `seed`.
    public init(_ distribution: Distribution, seed: UInt64) {
        self.distribution = distribution
        self.seed = seed
    }

    /// A seed derived from a worker's name (FNV-1a, stable across processes and runs).
    public static func seed(forName name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// A fresh sampler at the start of the seeded sequence.
    public func makeSampler() -> Sampler { Sampler(self) }

    /// Draws one step delay after another (SplitMix64 underneath).
    public struct Sampler: Sendable {
        /// The distribution it draws from.
        public let distribution: Distribution
        private var state: UInt64

        /// A sampler at the start of `delay`'s seeded sequence.
        public init(_ delay: StepDelay) {
            distribution = delay.distribution
            state = delay.seed
        }

        /// The next delay in milliseconds, within `0...StepDelay.maxMilliseconds`.
        public mutating func nextMilliseconds() -> Double {
            let value: Double
            switch distribution {
            case .constant(let ms):
                value = ms
            case .normal(let mean, let stddev):
                var draw = 0.0
                // Truncated at 0: a mean ≥ 0 keeps at least half the mass, so 64 tries fail with probability ≤ 2⁻⁶⁴.
                for _ in 0..<64 {
                    draw = mean + stddev * nextGaussian()
                    if draw >= 0 { break }
                }
                value = draw
            case .lognormal(let median, let sigma):
                value = median * exp(sigma * nextGaussian())
            case .empirical(let samples):
                guard !samples.isEmpty else { return 0 }
                let index = nextBits().multipliedFullWidth(by: UInt64(samples.count)).high
                value = samples[Int(truncatingIfNeeded: index)]
            }
            guard value.isFinite else { return value > 0 ? StepDelay.maxMilliseconds : 0 }
            return min(max(value, 0), StepDelay.maxMilliseconds)
        }

        /// The next delay as a `Duration`.
        public mutating func nextDelay() -> Duration {
            // ≤ 3.6e12 ns: well inside Int64.
            .nanoseconds(Int64(exactly: (nextMilliseconds() * 1_000_000).rounded()) ?? 0)
        }

        private mutating func nextBits() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }

        /// Uniform in (0, 1].
        private mutating func nextUnit() -> Double { (Double(nextBits() >> 11) + 1) * 0x1p-53 }

        /// Standard normal (Box–Muller).
        private mutating func nextGaussian() -> Double {
            let u = nextUnit(), v = nextUnit()
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
    }
}
