import Foundation

/// A multivariate Parzen estimator over a study's parameters (Falkner et al. 2018; Optuna's `multivariate=True`):
/// one product kernel per observation plus a broad prior kernel. Range params get a Gaussian truncated to their
/// internal line; list params a distribution that favours the observation's value. Joint kernels keep what made an
/// observation good together (a learning rate that only works with one optimizer).
struct ParzenEstimator: Sendable {
    /// One dimension of the space.
    enum Dimension: Sendable {
        /// A range param's internal line.
        case range(lo: Double, hi: Double)
        /// A list param with `count` values.
        case list(count: Int)
    }

    /// One coordinate of a point: an internal position or a value index.
    enum Coordinate: Sendable, Hashable {
        case position(Double)
        case index(Int)
    }

    private let dimensions: [Dimension]
    /// Kernel centres: the observations, then the prior (nil coordinates).
    private let centres: [[Coordinate]?]
    /// Per-dimension bandwidth of the observation kernels (range dims).
    private let sigmas: [Double]
    /// Weight of a list kernel's own value before normalising (the others get `spread`).
    private let spread: Double

    /// An estimator from observed points (each with one coordinate per dimension).
    init(points: [[Coordinate]], dimensions: [Dimension]) {
        self.dimensions = dimensions
        centres = points.map { Optional($0) } + [nil]
        let n = Double(Swift.max(points.count, 1))
        let factor = 0.2 * pow(n, -1.0 / Double(dimensions.count + 4))
        sigmas = dimensions.map { d in
            if case .range(let lo, let hi) = d { return Swift.max(factor * (hi - lo), 1e-12) }
            return 0
        }
        spread = 1 / n
    }

    /// A draw: pick a kernel uniformly, then each coordinate from it.
    func sample(using rng: inout SplitMix64) -> [Coordinate] {
        let centre = centres[rng.index(centres.count)]
        return dimensions.enumerated().map { d, dim in
            switch dim {
            case .range(let lo, let hi):
                guard case .position(let mu)? = centre?[d] else { return .position(rng.uniform(lo, hi)) }
                for _ in 0..<64 {
                    let x = mu + sigmas[d] * rng.normal()
                    if x >= lo, x <= hi { return .position(x) }
                }
                return .position(rng.uniform(lo, hi))
            case .list(let count):
                guard case .index(let own)? = centre?[d] else { return .index(rng.index(count)) }
                let total = 1 + spread * Double(count)
                var u = rng.unit() * total
                if u < 1 { return .index(own) }
                u -= 1
                return .index(Swift.min(Int(u / spread), count - 1))
            }
        }
    }

    /// log of the mixture density at `x`.
    func logDensity(_ x: [Coordinate]) -> Double {
        var terms: [Double] = []
        terms.reserveCapacity(centres.count)
        for centre in centres {
            var sum = 0.0
            for (d, dim) in dimensions.enumerated() {
                sum += logKernel(dim, sigma: sigmas[d], centre: centre?[d], at: x[d])
            }
            terms.append(sum)
        }
        let top = terms.max() ?? 0
        let total = terms.reduce(0) { $0 + exp($1 - top) }
        return top + Foundation.log(total / Double(terms.count))
    }

    private func logKernel(_ dim: Dimension, sigma: Double, centre: Coordinate?, at x: Coordinate) -> Double {
        switch (dim, centre, x) {
        case (.range(let lo, let hi), .position(let mu)?, .position(let v)):
            let z = (v - mu) / sigma
            let mass = Swift.max(phi((hi - mu) / sigma) - phi((lo - mu) / sigma), 1e-300)
            return -0.5 * z * z - Foundation.log(sigma * (2 * Double.pi).squareRoot() * mass)
        case (.range(let lo, let hi), _, _):
            return -Foundation.log(Swift.max(hi - lo, 1e-300))
        case (.list(let count), .index(let own)?, .index(let i)):
            return Foundation.log((i == own ? 1 + spread : spread) / (1 + spread * Double(count)))
        case (.list(let count), _, _):
            return -Foundation.log(Double(count))
        }
    }

    /// The standard normal CDF.
    private func phi(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
}
