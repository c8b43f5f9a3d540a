/// What kind of values a tuned parameter takes (`tuning.params[i].type`).
public enum ParamType: String, Sendable, Hashable, Codable, CaseIterable {
    /// A real number in [min, max].
    case double
    /// An integer in [min, max].
    case integer
    /// One of a list of words (`values`), unordered.
    case categorical
    /// One of a list of numbers (`values`), ordered.
    case discrete
}

/// How a numeric parameter's range is searched (`tuning.params[i].scale`).
public enum ParamScale: String, Sendable, Hashable, Codable, CaseIterable {
    /// Uniformly between min and max.
    case linear
    /// Uniformly in log(value): each decade gets the same share (needs min > 0).
    case log
}

/// One tuned parameter: a job spec key and the values it may take.
public struct ParamSpec: Sendable, Hashable, Codable {
    /// The dotted job spec key (`optimizer.learning_rate`, `model.hidden[0]`).
    public var key: String
    /// Value kind.
    public var type: ParamType
    /// Lower end (double and integer).
    public var min: Double?
    /// Upper end (double and integer).
    public var max: Double?
    /// The values (categorical and discrete), in the order written.
    public var values: [ParamValue]
    /// Linear or log search (double and integer).
    public var scale: ParamScale
    /// Points per numeric range in a grid search.
    public var gridPoints: Int

    /// Creates a parameter.
    public init(
        key: String, type: ParamType, min: Double? = nil, max: Double? = nil, values: [ParamValue] = [],
        scale: ParamScale = .linear, gridPoints: Int = ParamSpec.defaultGridPoints
    ) {
        self.key = key
        self.type = type
        self.min = min
        self.max = max
        self.values = values
        self.scale = scale
        self.gridPoints = gridPoints
    }

    /// `grid_points` when absent.
    public static let defaultGridPoints = 5

    /// Whether the parameter is a numeric range (double or integer) rather than a list of values.
    public var isRange: Bool { type == .double || type == .integer }

    /// The value a range parameter takes at `x` (in value space): integers rounded and clamped.
    func value(at x: Double) -> ParamValue {
        let lo = min ?? 0, hi = max ?? 0
        let clamped = Swift.min(Swift.max(x, lo), hi)
        if type == .integer {
            let r = clamped.rounded()
            return .int(Int(Swift.min(Swift.max(r, lo), hi)))
        }
        return .double(clamped)
    }
}
