/// The outcome of one training or evaluation step on a batch.
public struct StepResult: Sendable, Hashable {
    /// Mean loss over the batch.
    public var loss: Float
    /// Rows predicted correctly (0 for regression).
    public var correct: Int
    /// Rows in the batch.
    public var count: Int

    /// Creates a step result.
    public init(loss: Float, correct: Int, count: Int) {
        self.loss = loss
        self.correct = correct
        self.count = count
    }

    /// correct / count (0 for an empty batch).
    public var accuracy: Float { count == 0 ? 0 : Float(correct) / Float(count) }
}
