/// A pointwise nonlinearity; the raw values are the names used in model configs.
public enum Activation: String, Sendable, Hashable, Codable, CaseIterable {
    /// max(x, 0).
    case relu
    /// 1 / (1 + e^-x).
    case sigmoid
    /// Hyperbolic tangent.
    case tanh
    /// The identity (no nonlinearity).
    case linear
}
