/// An optimizer applied on the parameter-server shards (`optimizer.type`; the shard's `OptimizerConfig.kind`).
public enum OptimizerType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Plain gradient descent.
    case sgd
    /// Gradient descent with (optionally Nesterov) momentum, Keras formula.
    case momentum
    /// Adagrad (TF `ApplyAdagradV2`).
    case adagrad
    /// RMSProp, uncentered, with optional momentum (TF `ApplyRMSProp`).
    case rmsprop
    /// Adam with bias correction (TF `ApplyAdam`, Keras epsilon-hat form).
    case adam
    /// FTRL-Proximal with L1/L2 (TF `ApplyFtrl`, McMahan et al. 2013).
    case ftrl

    /// Names of the per-element slots a shard keeps beside each value, in storage order (`withMomentum`: rmsprop's
    /// momentum > 0 adds a slot).
    public func slotNames(withMomentum: Bool) -> [String] {
        switch self {
        case .sgd: []
        case .momentum: ["momentum"]
        case .adagrad: ["accumulator"]
        case .rmsprop: withMomentum ? ["rms", "momentum"] : ["rms"]
        case .adam: ["m", "v"]
        case .ftrl: ["accumulator", "linear"]
        }
    }
}

/// A learning-rate schedule.
public enum ScheduleType: String, Sendable, Hashable, Codable, CaseIterable {
    /// The learning rate never changes.
    case constant
    /// lr · decay_rate^(step / decay_steps), the exponent floored when `staircase`.
    case exponentialDecay = "exponential_decay"
    /// lr · min(1, (step + 1) / warmup_steps), then constant.
    case linearWarmup = "linear_warmup"
}

/// The `optimizer.schedule` section.
public struct ScheduleSpec: Sendable, Hashable, Codable {
    /// Schedule kind (default constant).
    public var type: ScheduleType
    /// Steps per decay period (exponential_decay, default 1000).
    public var decaySteps: Int
    /// Multiplier per decay period (exponential_decay, default 0.96).
    public var decayRate: Double
    /// Decay in whole periods (exponential_decay, default false).
    public var staircase: Bool
    /// Steps of linear warm-up (linear_warmup, default 100).
    public var warmupSteps: Int

    /// Creates a schedule.
    public init(type: ScheduleType = .constant, decaySteps: Int = 1000, decayRate: Double = 0.96, staircase: Bool = false, warmupSteps: Int = 100) {
        self.type = type
        self.decaySteps = decaySteps
        self.decayRate = decayRate
        self.staircase = staircase
        self.warmupSteps = warmupSteps
    }

    enum CodingKeys: String, CodingKey {
        case type, staircase
        case decaySteps = "decay_steps"
        case decayRate = "decay_rate"
        case warmupSteps = "warmup_steps"
    }
}

/// The `optimizer` section of a job spec; fields an optimizer does not use are ignored by it.
public struct OptimizerSpec: Sendable, Hashable, Codable {
    /// Optimizer kind (default sgd).
    public var type: OptimizerType
    /// Base learning rate, > 0 (default 0.01).
    public var learningRate: Double
    /// Momentum coefficient in [0, 1) (momentum, default 0.9).
    public var momentum: Double
    /// Nesterov momentum (momentum, default false).
    public var nesterov: Bool
    /// First-moment decay in [0, 1) (adam, default 0.9).
    public var beta1: Double
    /// Second-moment decay in [0, 1) (adam, default 0.999).
    public var beta2: Double
    /// Numerical stabiliser, > 0 (adam, rmsprop, adagrad; default 1e-8).
    public var epsilon: Double
    /// Decay of the squared-gradient average in [0, 1) (rmsprop, default 0.9).
    public var rho: Double
    /// Initial accumulator value, ≥ 0 (adagrad, ftrl; default 0.1).
    public var initialAccumulator: Double
    /// L1 regularisation strength, ≥ 0 (ftrl; default 0).
    public var l1: Double
    /// L2 regularisation strength, ≥ 0 (ftrl, and weight decay elsewhere; default 0).
    public var l2: Double
    /// Learning-rate schedule (default constant).
    public var schedule: ScheduleSpec

    /// Creates an optimizer section.
    public init(
        type: OptimizerType = .sgd, learningRate: Double = 0.01, momentum: Double = 0.9, nesterov: Bool = false,
        beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, rho: Double = 0.9,
        initialAccumulator: Double = 0.1, l1: Double = 0, l2: Double = 0, schedule: ScheduleSpec = ScheduleSpec()
    ) {
        self.type = type
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.rho = rho
        self.initialAccumulator = initialAccumulator
        self.l1 = l1
        self.l2 = l2
        self.schedule = schedule
    }

    enum CodingKeys: String, CodingKey {
        case type, momentum, nesterov, beta1, beta2, epsilon, rho, l1, l2, schedule
        case learningRate = "learning_rate"
        case initialAccumulator = "initial_accumulator"
    }
}

extension OptimizerSpec {
    /// Per-element slots the shard keeps for this optimizer (`OptimizerType.slotNames`): sgd 0, momentum 1,
    /// adagrad 1, rmsprop 1 (2 with momentum > 0), adam 2, ftrl 2.
    public var slotCount: Int { type.slotNames(withMomentum: momentum > 0).count }
}
