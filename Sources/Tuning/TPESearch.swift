/// Tree-structured Parzen Estimator search (univariate, as Hyperopt and Optuna): after `startupTrials` random trials,
/// finished trials are split into the best γ share and the rest; for each parameter, candidates are drawn from the
/// good trials' density l(x) and the one with the largest l(x)/g(x) is proposed.
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
        let good = order.prefix(goodCount), bad = order.dropFirst(goodCount)
        var assignment: [String: ParamValue] = [:]
        for param in params {
            if param.isRange {
                let space = ParamSpace(param)
                let l = ParzenEstimator(points: good.compactMap { $0.assignment[param.key].flatMap(space.point) }, lo: space.lo, hi: space.hi)
                let g = ParzenEstimator(points: bad.compactMap { $0.assignment[param.key].flatMap(space.point) }, lo: space.lo, hi: space.hi)
                var best = l.sample(using: &rng), bestScore = -Double.infinity
                for _ in 0..<settings.candidates {
                    let x = l.sample(using: &rng)
                    let score = l.logDensity(x) - g.logDensity(x)
                    if score > bestScore { (best, bestScore) = (x, score) }
                }
                assignment[param.key] = space.value(at: best)
            } else {
                let index = { (o: Observation) -> Int? in o.assignment[param.key].flatMap { param.values.firstIndex(of: $0) } }
                let l = CategoricalEstimator(indices: good.compactMap(index), count: param.values.count)
                let g = CategoricalEstimator(indices: bad.compactMap(index), count: param.values.count)
                var best = 0, bestScore = -Double.infinity
                for _ in 0..<settings.candidates {
                    let i = l.sample(using: &rng)
                    let score = l.logDensity(i) - g.logDensity(i)
                    if score > bestScore { (best, bestScore) = (i, score) }
                }
                assignment[param.key] = param.values[best]
            }
        }
        return assignment
    }
}
