#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec

/// How the learning rate changes with the step (the job's version: the number of updates applied so far).
public enum LearningRateSchedule: Sendable, Hashable, Codable {
    /// The base learning rate at every step.
    case constant
    /// `lr * decayRate^(step / decaySteps)`, with the exponent floored when `staircase` (TF's `exponential_decay`).
    case exponentialDecay(decaySteps: Int, decayRate: Float, staircase: Bool)
    /// `lr * min(1, (step + 1) / warmupSteps)`, then constant; the first update (step 0) already uses `lr / warmupSteps`.
    case linearWarmup(warmupSteps: Int)

    /// The job spec's name for this schedule (`optimizer.schedule.type`).
    public var type: ScheduleType {
        switch self {
        case .constant: .constant
        case .exponentialDecay: .exponentialDecay
        case .linearWarmup: .linearWarmup
        }
    }

    /// The multiplier of the base learning rate at `step` (0-based: the update that moves version `step` to `step + 1`).
    public func factor(atStep step: UInt64) -> Double {
        switch self {
        case .constant:
            return 1
        case .exponentialDecay(let decaySteps, let decayRate, let staircase):
            guard decaySteps > 0 else { return 1 }
            var exponent = Double(step) / Double(decaySteps)
            if staircase { exponent = exponent.rounded(.down) }
            return pow(Double(decayRate), exponent)
        case .linearWarmup(let warmupSteps):
            guard warmupSteps > 0 else { return 1 }
            return min(1, (Double(step) + 1) / Double(warmupSteps))
        }
    }

    /// Throws `invalidArgument` for non-positive decay steps or rates and negative warm-up lengths.
    public func validate() throws(StoreError) {
        switch self {
        case .constant:
            return
        case .exponentialDecay(let decaySteps, let decayRate, _):
            guard decaySteps > 0 else {
                throw StoreError(.invalidArgument, "Exponential decay needs decay_steps > 0, got \(decaySteps).")
            }
            guard decayRate > 0, decayRate.isFinite else {
                throw StoreError(.invalidArgument, "Exponential decay needs a finite decay_rate > 0, got \(decayRate).")
            }
        case .linearWarmup(let warmupSteps):
            guard warmupSteps >= 0 else {
                throw StoreError(.invalidArgument, "Linear warm-up needs warmup_steps >= 0, got \(warmupSteps).")
            }
        }
    }
}
