import Foundation

/// Grid search: every combination of the params' points in a fixed order (the first param varies slowest); ranges
/// get `grid_points` points, evenly spaced in their scale (log-spaced for log scale), both ends included.
public struct GridSearch: SearchAlgorithm {
    /// The tuned parameters.
    public let params: [ParamSpec]
    private let points: [[ParamValue]]

    /// A grid over `params`.
    public init(params: [ParamSpec]) {
        self.params = params
        points = params.map(Self.points(of:))
    }

    /// Combinations in all.
    public var size: Int { points.reduce(1) { $0.multipliedReportingOverflow(by: $1.count).partialValue } }

    /// The grid points of one parameter, in increasing order for ranges and as written for lists.
    public static func points(of param: ParamSpec) -> [ParamValue] {
        guard param.isRange, let lo = param.min, let hi = param.max else { return param.values }
        let n = param.gridPoints
        var out: [ParamValue] = []
        for i in 0..<n {
            let t = Double(i) / Double(n - 1)
            let x = param.scale == .log ? exp(log(lo) + t * (log(hi) - log(lo))) : lo + t * (hi - lo)
            let v = param.value(at: i == n - 1 ? hi : (i == 0 ? lo : x))
            if !out.contains(v) { out.append(v) }
        }
        return out
    }

    /// Combination `number − 1` of the grid; nil past its end.
    public func propose(number: Int, history: [Observation]) -> [String: ParamValue]? {
        guard number >= 1, number <= size else { return nil }
        var rest = number - 1
        var assignment: [String: ParamValue] = [:]
        for (param, values) in zip(params, points).reversed() {
            assignment[param.key] = values[rest % values.count]
            rest /= values.count
        }
        return assignment
    }
}

/// Random search: every param drawn independently, uniform in its scale, from the study's seed and the trial number.
public struct RandomSearch: SearchAlgorithm {
    /// The tuned parameters.
    public let params: [ParamSpec]
    /// The study's seed.
    public let seed: UInt64

    /// A random search over `params`.
    public init(params: [ParamSpec], seed: UInt64) {
        self.params = params
        self.seed = seed
    }

    /// An independent draw for trial `number` (never used up).
    public func propose(number: Int, history: [Observation]) -> [String: ParamValue]? {
        var rng = SplitMix64(seed: seed, stream: number)
        return Self.draw(params, using: &rng)
    }

    static func draw(_ params: [ParamSpec], using rng: inout SplitMix64) -> [String: ParamValue] {
        var assignment: [String: ParamValue] = [:]
        for param in params {
            if param.isRange {
                let space = ParamSpace(param)
                assignment[param.key] = space.value(at: rng.uniform(space.lo, space.hi))
            } else {
                assignment[param.key] = param.values[rng.index(param.values.count)]
            }
        }
        return assignment
    }
}
