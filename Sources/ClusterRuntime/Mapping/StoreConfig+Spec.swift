import Coordinator
import ParameterStore

/// How a job spec's optimizer and training sections become the shard's configuration.
extension OptimizerConfig {
    /// The optimizer a shard applies for a job's `optimizer:` section.
    init(spec: OptimizerSpec) {
        let kind = OptimizerKind(rawValue: spec.type.rawValue) ?? .sgd
        let schedule: LearningRateSchedule =
            switch spec.schedule.type {
            case .constant: .constant
            case .exponentialDecay:
                .exponentialDecay(decaySteps: spec.schedule.decaySteps, decayRate: Float(spec.schedule.decayRate), staircase: spec.schedule.staircase)
            case .linearWarmup: .linearWarmup(warmupSteps: spec.schedule.warmupSteps)
            }
        self.init(
            kind: kind, learningRate: Float(spec.learningRate), momentum: Float(spec.momentum), nesterov: spec.nesterov,
            beta1: Float(spec.beta1), beta2: Float(spec.beta2), epsilon: Float(spec.epsilon), rho: Float(spec.rho),
            initialAccumulator: Float(spec.initialAccumulator), l1: Float(spec.l1), l2: Float(spec.l2), schedule: schedule)
    }
}

extension ConsistencyConfig {
    /// The aggregation rule a shard follows for a job's `training:` section.
    init(spec: TrainingSpec) {
        switch spec.mode {
        case .sync:
            self.init(mode: .sync, replicasToAggregate: spec.replicasToAggregate, backupWorkers: spec.backupWorkers)
        case .async:
            self.init(mode: .async, maxStaleness: spec.maxStaleness)
        }
    }
}
