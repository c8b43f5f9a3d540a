import JobSpec

/// How a job spec's optimizer and training sections become the shard's configuration.
extension OptimizerConfig {
    /// The optimizer a shard applies for a job's `optimizer:` section (the same `OptimizerType`, no translation).
    package init(spec: OptimizerSpec) {
        self.init(
            kind: spec.type, learningRate: Float(spec.learningRate), momentum: Float(spec.momentum), nesterov: spec.nesterov,
            beta1: Float(spec.beta1), beta2: Float(spec.beta2), epsilon: Float(spec.epsilon), rho: Float(spec.rho),
            initialAccumulator: Float(spec.initialAccumulator), l1: Float(spec.l1), l2: Float(spec.l2),
            schedule: LearningRateSchedule(spec: spec.schedule))
    }
}

extension LearningRateSchedule {
    /// The schedule a shard follows for a job's `optimizer.schedule:` section.
    package init(spec: ScheduleSpec) {
        switch spec.type {
        case .constant:
            self = .constant
        case .exponentialDecay:
            self = .exponentialDecay(decaySteps: spec.decaySteps, decayRate: Float(spec.decayRate), staircase: spec.staircase)
        case .linearWarmup:
            self = .linearWarmup(warmupSteps: spec.warmupSteps)
        }
    }
}

extension ConsistencyConfig {
    /// The aggregation rule a shard follows for a job's `training:` section.
    package init(spec: TrainingSpec) {
        switch spec.mode {
        case .sync:
            self.init(mode: .sync, replicasToAggregate: spec.replicasToAggregate, backupWorkers: spec.backupWorkers)
        case .async:
            self.init(mode: .async, maxStaleness: spec.maxStaleness)
        }
    }
}
