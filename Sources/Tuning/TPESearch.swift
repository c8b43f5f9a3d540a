/// Tree-structured Parzen Estimator search (Bergstra et al. 2011; multivariate as Falkner et al. 2018 and Optuna's
/// `multivariate=True`): after `startupTrials` random trials, finished trials are split into the best γ share and the
/// rest; candidates are drawn from the good trials' density l(x) and the one with the largest l(x)/g(x) is proposed.
public struct TPESearch: SearchAlgorithm {
    /// The tuned parameters.
    public let params: [ParamSpec]
    /// Larger or smaller is better.
    public let goal: Goal
    /// The study's seed.
    public let seed: UInt64
    /// Startup trials, candidates, γ.
    public let settings: TPESettings

    /// A TPE search over `params`.
    public init(params: [ParamSpec], goal: Goal, seed: UInt64, settings: TPESettings = TPESettings()) {
        self.params = params
        self.goal = goal
        self.seed = seed
        self.settings = settings
    }

    /// Trial `number`'s assignment: random until `startupTrials` trials finished, then the TPE choice (never used up).
    public func propose(number: Int, history: [Observation]) -> [String: ParamValue]? {
        var rng = SplitMix64(seed: seed, stream: number)
        guard history.count >= settings.startupTrials else { return RandomSearch.draw(params, using: &rng) }
        let order = ranked(history, goal: goal)
        let goodCount = Swift.max(1, Int((settings.gamma * Double(order.count)).rounded(.up)))
        let spaces = params.map { $0.isRange ? ParamSpace($0) : nil }
        let dimensions: [ParzenEstimator.Dimension] = zip(params, spaces).map { p, s in
            s.map { .range(lo: $0.lo, hi: $0.hi) } ?? .list(count: p.values.count)
        }
        let points = order.map { coordinates(of: $0.assignment, spaces: spaces) }
        let l = ParzenEstimator(points: Array(points.prefix(goodCount)).compactMap { $0 }, dimensions: dimensions)
        let g = ParzenEstimator(points: Array(points.dropFirst(goodCount)).compactMap { $0 }, dimensions: dimensions)
        var best = l.sample(using: &rng), bestScore = -Double.infinity
        for _ in 0..<settings.candidates {
            let x = l.sample(using: &rng)
            let score = l.logDensity(x) - g.logDensity(x)
            if score > bestScore { (best, bestScore) = (x, score) }
        }
        var assignment: [String: ParamValue] = [:]
        for (d, param) in params.enumerated() {
            switch (best[d], spaces[d]) {
            case (.position(let u), let space?): assignment[param.key] = space.value(at: u)
            case (.index(let i), _): assignment[param.key] = param.values[i]
            default: assignment[param.key] = param.values.first ?? param.value(at: param.min ?? 0)
            }
        }
        return assignment
    }

    /// An observation's coordinates (nil when it lacks a param or holds a value no longer listed).
    private func coordinates(of assignment: [String: ParamValue], spaces: [ParamSpace?]) -> [ParzenEstimator.Coordinate]? {
        var out: [ParzenEstimator.Coordinate] = []
        for (param, space) in zip(params, spaces) {
            guard let value = assignment[param.key] else { return nil }
            if let space {
                guard let u = space.point(of: value) else { return nil }
                out.append(.position(u))
            } else {
                guard let i = param.values.firstIndex(of: value) else { return nil }
                out.append(.index(i))
            }
        }
        return out
    }
}
