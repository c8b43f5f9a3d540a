import JobSpec

/// A pointwise nonlinearity a backend computes: the job spec's hidden activations plus the identity (regression outputs).
public enum ActivationFunction: String, Sendable, Hashable, Codable, CaseIterable {
    /// max(x, 0).
    case relu
    /// 1 / (1 + e^-x).
    case sigmoid
    /// Hyperbolic tangent.
    case tanh
    /// The identity (no nonlinearity).
    case linear

    /// The function computing a job spec's `model.activation`.
    public init(_ activation: Activation) {
        switch activation {
        case .relu: self = .relu
        case .sigmoid: self = .sigmoid
        case .tanh: self = .tanh
        }
    }
}
