/// Held-out metrics of a model.
public struct EvaluationResult: Sendable, Hashable, Codable {
    /// Mean loss (cross-entropy from clamped probabilities, or squared error).
    public var loss: Float
    /// Fraction of rows predicted correctly (0 for regression).
    public var accuracy: Float
    /// ROC AUC for binary tasks (nil otherwise, or when one class is absent).
    public var auc: Float?
    /// Rows evaluated.
    public var count: Int

    /// Creates a result.
    public init(loss: Float, accuracy: Float, auc: Float?, count: Int) {
        self.loss = loss
        self.accuracy = accuracy
        self.auc = auc
        self.count = count
    }
}
