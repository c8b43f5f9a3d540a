/// The numeric kernels layers are written against; `CPUBackend` implements them with OpenBLAS
/// and vectorised loops, a CUDA backend can implement them on the device.
///
/// Matrices are rank-2 row-major tensors (a rank-1 tensor of n elements counts as n × 1 when
/// used as a column, and as a vector of n elements where a vector is expected). Kernels check
/// shapes and throw `TrainingError(.shapeMismatch)` instead of trapping.
public protocol ComputeBackend: Sendable {
    /// A short name for logs ("cpu(threads: 1)").
    var name: String { get }

    /// c = alpha · op(a) · op(b) + beta · c, where op transposes when asked.
    func gemm(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, into c: Tensor, alpha: Float, beta: Float) throws

    /// Adds `bias` (width w) to every row of `x` ([n, w]) in place.
    func addBias(_ bias: Tensor, to x: Tensor) throws

    /// out = beta · out + (sum of the rows of `x`), for x [n, w] and out [w].
    func columnSums(_ x: Tensor, into out: Tensor, beta: Float) throws

    /// y = f(x) elementwise (x and y may be the same tensor).
    func activate(_ activation: ActivationFunction, _ x: Tensor, into y: Tensor) throws

    /// gradInput = gradOutput · f'(x), computed from the forward output `y` (may alias gradOutput).
    func activationBackward(_ activation: ActivationFunction, output y: Tensor, gradOutput: Tensor, into gradInput: Tensor) throws

    /// c = a ⊙ b elementwise.
    func multiply(_ a: Tensor, _ b: Tensor, into c: Tensor) throws

    /// y += alpha · x.
    func axpy(alpha: Float, _ x: Tensor, _ y: Tensor) throws

    /// Row-wise softmax of `logits` ([n, c]) into `probabilities`.
    func softmax(_ logits: Tensor, into probabilities: Tensor) throws

    /// Softmax cross-entropy of logits [n, c] against class ids `labels` [n] (stored as floats);
    /// when `gradient` is given writes d(mean loss)/d(logits) into it. Counts argmax hits.
    func softmaxCrossEntropy(logits: Tensor, labels: Tensor, gradient: Tensor?) throws -> LossValue

    /// Sigmoid cross-entropy of logits [n, 1] against 0/1 `labels` [n], numerically stable;
    /// when `gradient` is given writes d(mean loss)/d(logits) into it. Counts hits at p ≥ 0.5.
    func sigmoidCrossEntropy(logits: Tensor, labels: Tensor, gradient: Tensor?) throws -> LossValue

    /// Mean squared error mean((p − y)²) of predictions [n, 1] against targets [n];
    /// when `gradient` is given writes d(mean loss)/d(predictions) into it.
    func meanSquaredError(predictions: Tensor, targets: Tensor, gradient: Tensor?) throws -> LossValue

    /// Runs one step's kernels: `body` gets the backend to use for them; `inputs` are the host
    /// tensors the step reads, `outputs` those the host reads afterwards. A device backend keeps
    /// everything else in device memory in between. While `body` runs the host must not read a
    /// tensor a kernel wrote, nor write one a kernel read (it may fill a scratch tensor that is
    /// not among `inputs` before the first kernel reads it, as dropout does with its mask).
    func runStep<R: Sendable>(reading inputs: [Tensor], writing outputs: [Tensor], _ body: (any ComputeBackend) throws -> R) throws -> R
}

extension ComputeBackend {
    /// Host backends run the step's kernels themselves.
    public func runStep<R: Sendable>(reading inputs: [Tensor], writing outputs: [Tensor], _ body: (any ComputeBackend) throws -> R) throws -> R {
        try body(self)
    }
}
