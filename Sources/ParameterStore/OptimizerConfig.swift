import JobSpec

/// An optimizer and its hyper-parameters; fields a kind does not use are ignored.
///
/// Defaults follow Keras: `epsilon` 1e-7 (Adam, Adagrad, RMSProp), `rho` 0.9, `beta1` 0.9,
/// `beta2` 0.999, `initialAccumulator` 0.1 (Adagrad, FTRL), `lrPower` -0.5. `momentum` defaults
/// to 0.9 for `.momentum` and to 0 (no momentum slot) for `.rmsprop`.
public struct OptimizerConfig: Sendable, Hashable, Codable {
    /// Which update rule (the job spec's `optimizer.type`).
    public var kind: OptimizerType
    /// Base learning rate (before the schedule).
    public var learningRate: Float
    /// Momentum coefficient (`.momentum`; `.rmsprop` when > 0).
    public var momentum: Float
    /// Nesterov momentum (`.momentum`).
    public var nesterov: Bool
    /// Adam's first-moment decay.
    public var beta1: Float
    /// Adam's second-moment decay.
    public var beta2: Float
    /// Numerical-stability term (Adam, Adagrad, RMSProp).
    public var epsilon: Float
    /// RMSProp's decay of the mean square.
    public var rho: Float
    /// Initial value of the Adagrad / FTRL accumulator.
    public var initialAccumulator: Float
    /// FTRL L1 regularisation strength.
    public var l1: Float
    /// FTRL L2 regularisation strength.
    public var l2: Float
    /// FTRL learning-rate power (-0.5 is the usual 1/sqrt schedule).
    public var lrPower: Float
    /// How the learning rate changes with the version.
    public var schedule: LearningRateSchedule

    /// Creates a configuration; `momentum: nil` means 0.9 for `.momentum` and 0 otherwise.
    public init(
        kind: OptimizerType, learningRate: Float, momentum: Float? = nil, nesterov: Bool = false,
        beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7, rho: Float = 0.9,
        initialAccumulator: Float = 0.1, l1: Float = 0, l2: Float = 0, lrPower: Float = -0.5,
        schedule: LearningRateSchedule = .constant
    ) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum ?? (kind == .momentum ? 0.9 : 0)
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.rho = rho
        self.initialAccumulator = initialAccumulator
        self.l1 = l1
        self.l2 = l2
        self.lrPower = lrPower
        self.schedule = schedule
    }

    /// Plain SGD with a constant learning rate.
    public static func sgd(_ learningRate: Float) -> OptimizerConfig {
        OptimizerConfig(kind: .sgd, learningRate: learningRate)
    }

    /// The learning rate used for the update at `step` (the job's version before the update).
    public func learningRate(atStep step: UInt64) -> Float {
        Float(Double(learningRate) * schedule.factor(atStep: step))
    }

    /// Names of the per-element slots this optimizer keeps beside each partition, in storage order.
    public var slotNames: [String] { kind.slotNames(withMomentum: momentum > 0) }

    /// Initial value of each slot in `slotNames` order.
    var slotInitialValues: [Float] {
        switch kind {
        case .sgd: []
        case .momentum: [0]
        case .adagrad: [initialAccumulator]
        case .rmsprop: momentum > 0 ? [0, 0] : [0]
        case .adam: [0, 0]
        case .ftrl: [initialAccumulator, 0]
        }
    }

    /// Throws `invalidArgument` when a hyper-parameter is out of its range.
    public func validate() throws(StoreError) {
        func bad(_ what: String) -> StoreError {
            StoreError(.invalidArgument, "Optimizer \(kind.rawValue): \(what).")
        }
        guard learningRate.isFinite, learningRate >= 0 else { throw bad("learning_rate must be finite and >= 0, got \(learningRate)") }
        try schedule.validate()
        switch kind {
        case .sgd:
            break
        case .momentum:
            guard momentum.isFinite, momentum >= 0 else { throw bad("momentum must be >= 0, got \(momentum)") }
        case .adagrad:
            guard epsilon.isFinite, epsilon >= 0 else { throw bad("epsilon must be >= 0, got \(epsilon)") }
            guard initialAccumulator.isFinite, initialAccumulator >= 0 else {
                throw bad("initial_accumulator must be >= 0, got \(initialAccumulator)")
            }
            guard epsilon > 0 || initialAccumulator > 0 else {
                throw bad("epsilon and initial_accumulator cannot both be 0 (division by zero)")
            }
        case .rmsprop:
            guard rho.isFinite, rho >= 0, rho <= 1 else { throw bad("rho must be in [0, 1], got \(rho)") }
            guard momentum.isFinite, momentum >= 0 else { throw bad("momentum must be >= 0, got \(momentum)") }
            guard epsilon.isFinite, epsilon > 0 else { throw bad("epsilon must be > 0, got \(epsilon)") }
        case .adam:
            guard beta1.isFinite, beta1 >= 0, beta1 < 1 else { throw bad("beta1 must be in [0, 1), got \(beta1)") }
            guard beta2.isFinite, beta2 >= 0, beta2 < 1 else { throw bad("beta2 must be in [0, 1), got \(beta2)") }
            guard epsilon.isFinite, epsilon > 0 else { throw bad("epsilon must be > 0, got \(epsilon)") }
        case .ftrl:
            guard lrPower.isFinite, lrPower <= 0 else { throw bad("lr_power must be <= 0, got \(lrPower)") }
            guard l1.isFinite, l1 >= 0 else { throw bad("l1 must be >= 0, got \(l1)") }
            guard l2.isFinite, l2 >= 0 else { throw bad("l2 must be >= 0, got \(l2)") }
            guard initialAccumulator.isFinite, initialAccumulator > 0 else {
                throw bad("initial_accumulator must be > 0, got \(initialAccumulator)")
            }
            guard learningRate > 0 else { throw bad("learning_rate must be > 0") }
        }
    }
}
