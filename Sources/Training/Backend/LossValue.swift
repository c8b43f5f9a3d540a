/// What a fused loss kernel returns for one batch.
public struct LossValue: Sendable, Hashable {
    /// Mean loss over the batch rows.
    public var loss: Float
    /// Rows predicted correctly (0 for regression).
    public var correct: Int

    /// Creates a loss value.
    public init(loss: Float, correct: Int) {
        self.loss = loss
        self.correct = correct
    }
}
