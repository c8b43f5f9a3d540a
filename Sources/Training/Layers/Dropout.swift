import TensorWire

/// Inverted dropout: in training each element is zeroed with probability `rate` and the rest
/// scaled by 1 / (1 − rate); at prediction time it is the identity. Masks are seeded.
public final class Dropout: Layer {
    /// Probability of dropping an element, in [0, 1).
    public let rate: Float
    /// Features per row.
    public let inputWidth: Int
    /// Kernels only (the dropout mask is written on the host before the kernel that reads it).
    public var runsOnBackend: Bool { true }
    /// Same as `inputWidth`.
    public var outputWidth: Int { inputWidth }
    /// None.
    public var variables: [VariableSpec] { [] }
    /// Base seed of the masks.
    public let seed: UInt64
    /// Index of the next mask drawn; each training forward uses stream (seed, maskIndex) and increments it.
    public var maskIndex: UInt64 = 0
    private let mask: ScratchBuffer
    private let output: ScratchBuffer
    private let inputGradient: ScratchBuffer
    private var lastMask: Tensor?

    /// Creates a dropout layer; throws unless 0 ≤ rate < 1.
    public init(rate: Float, width: Int, seed: UInt64) throws {
        guard rate >= 0, rate < 1 else {
            throw TrainingError(.invalidConfiguration, "dropout rate \(rate) is not in [0, 1)")
        }
        self.rate = rate
        self.inputWidth = width
        self.seed = seed
        self.mask = ScratchBuffer(width: width)
        self.output = ScratchBuffer(width: width)
        self.inputGradient = ScratchBuffer(width: width)
    }

    /// y = x ⊙ mask in training, x otherwise.
    public func forward(_ input: Tensor, parameters: ParameterSet, offset: Int, training: Bool, backend: any ComputeBackend) throws -> Tensor {
        try requireShape(input.columns == inputWidth, "dropout: input \(input.shape), expected width \(inputWidth)")
        guard training, rate > 0 else {
            lastMask = nil
            return input
        }
        let m = mask.view(rows: input.rows)
        var rng = SeededGenerator(seed: seed, stream: maskIndex)
        maskIndex &+= 1
        let keep = 1 / (1 - rate)
        m.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = rng.nextUnitFloat() < rate ? 0 : keep }
        }
        let y = output.view(rows: input.rows)
        try backend.multiply(input, m, into: y)
        lastMask = m
        return y
    }

    /// dx = dy ⊙ mask (dy itself when the forward pass was the identity).
    public func backward(_ gradOutput: Tensor, parameters: ParameterSet, gradients: ParameterSet, offset: Int,
                         needsInputGradient: Bool, backend: any ComputeBackend) throws -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let m = lastMask else { return gradOutput }
        let dx = inputGradient.view(rows: gradOutput.rows)
        try backend.multiply(gradOutput, m, into: dx)
        return dx
    }
}
