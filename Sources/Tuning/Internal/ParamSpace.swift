import Foundation

/// A range parameter's search space: values mapped to an internal line (log(value) for log scale), where random and
/// TPE draws are uniform or Gaussian; integers get half a step beyond each end so rounding gives every one its share.
struct ParamSpace: Sendable {
    let param: ParamSpec
    /// Internal lower and upper end.
    let lo: Double
    let hi: Double

    init(_ param: ParamSpec) {
        self.param = param
        let pad = param.type == .integer ? 0.5 : 0
        let a = (param.min ?? 0) - pad, b = (param.max ?? 0) + pad
        if param.scale == .log {
            lo = Foundation.log(Swift.max(a, Double.leastNormalMagnitude))
            hi = Foundation.log(b)
        } else {
            lo = a
            hi = b
        }
    }

    /// The parameter value at internal point `u` (exp for log scale; integers rounded; clamped into [min, max]).
    func value(at u: Double) -> ParamValue {
        param.value(at: param.scale == .log ? exp(u) : u)
    }

    /// The internal point of a value (nil for a value that is not a number).
    func point(of value: ParamValue) -> Double? {
        guard let x = value.number else { return nil }
        let u = param.scale == .log ? Foundation.log(Swift.max(x, Double.leastNormalMagnitude)) : x
        return Swift.min(Swift.max(u, lo), hi)
    }
}
