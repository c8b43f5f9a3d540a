import Foundation

/// A Parzen estimator on a range parameter's internal line: truncated Gaussian kernels at the observed points plus a
/// broad prior kernel at the middle (Bergstra et al. 2011; bandwidths as in Optuna's univariate TPE).
struct ParzenEstimator: Sendable {
    private let lo: Double
    private let hi: Double
    private var mus: [Double] = []
    private var sigmas: [Double] = []

    /// An estimator from `points` (internal coordinates within [lo, hi]).
    init(points: [Double], lo: Double, hi: Double) {
        self.lo = lo
        self.hi = hi
        let width = hi - lo
        let prior = (lo + hi) / 2
        let sorted = (points + [prior]).sorted()
        let minSigma = width / Swift.min(100, 1 + Double(sorted.count))
        for (i, mu) in sorted.enumerated() {
            let left = i > 0 ? sorted[i - 1] : lo
            let right = i + 1 < sorted.count ? sorted[i + 1] : hi
            var sigma = Swift.max(mu - left, right - mu)
            sigma = Swift.min(Swift.max(sigma, minSigma), width)
            mus.append(mu)
            sigmas.append(mu == prior && i == sorted.firstIndex(of: prior) ? width : sigma)
        }
    }

    /// A draw: pick a kernel uniformly, then a Gaussian draw inside [lo, hi].
    func sample(using rng: inout SplitMix64) -> Double {
        let k = rng.index(mus.count)
        for _ in 0..<64 {
            let x = mus[k] + sigmas[k] * rng.normal()
            if x >= lo, x <= hi { return x }
        }
        return rng.uniform(lo, hi)
    }

    /// log of the mixture density at `x`.
    func logDensity(_ x: Double) -> Double {
        var terms: [Double] = []
        terms.reserveCapacity(mus.count)
        for (mu, sigma) in zip(mus, sigmas) {
            let z = (x - mu) / sigma
            let mass = Swift.max(phi((hi - mu) / sigma) - phi((lo - mu) / sigma), 1e-300)
            terms.append(-0.5 * z * z - Foundation.log(sigma * (2 * Double.pi).squareRoot() * mass))
        }
        let top = terms.max() ?? 0
        let sum = terms.reduce(0) { $0 + exp($1 - top) }
        return top + Foundation.log(sum / Double(terms.count))
    }

    /// The standard normal CDF.
    private func phi(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
}

/// A smoothed categorical distribution: each value's count plus one.
struct CategoricalEstimator: Sendable {
    private let weights: [Double]

    /// Counts of each value index among the observations, plus one each.
    init(indices: [Int], count: Int) {
        var w = [Double](repeating: 1, count: count)
        for i in indices where i >= 0 && i < count { w[i] += 1 }
        let total = w.reduce(0, +)
        weights = w.map { $0 / total }
    }

    /// A value index drawn by weight.
    func sample(using rng: inout SplitMix64) -> Int {
        var u = rng.unit()
        for (i, w) in weights.enumerated() {
            if u < w { return i }
            u -= w
        }
        return weights.count - 1
    }

    /// log of a value index's probability.
    func logDensity(_ i: Int) -> Double { Foundation.log(weights[i]) }
}
