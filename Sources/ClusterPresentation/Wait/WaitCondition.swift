import ClusterAPI
import ClusterRuntime

/// What `clusterctl wait JOB --for CONDITION` waits for.
public enum WaitCondition: String, CaseIterable, Sendable {
    /// The job SUCCEEDED.
    case succeeded
    /// The job ended: SUCCEEDED, FAILED or CANCELLED.
    case ended
    /// The job is RUNNING.
    case running

    /// Whether a job in `state` meets the condition, can never meet it (it ended otherwise), or may still.
    public func outcome(_ state: Tessera_V1_JobState) -> WaitOutcome {
        switch self {
        case .succeeded:
            switch state {
            case .succeeded: return .met
            case .failed: return .endedOtherwise(.jobFailed)
            case .cancelled: return .endedOtherwise(.jobCancelled)
            default: return .notYet
            }
        case .ended:
            return state.isFinal ? .met : .notYet
        case .running:
            switch state {
            case .running: return .met
            case .cancelled: return .endedOtherwise(.jobCancelled)
            case .succeeded, .failed: return .endedOtherwise(.jobFailed)
            default: return .notYet
            }
        }
    }
}

/// Where a job stands against a `WaitCondition`.
public enum WaitOutcome: Equatable, Sendable {
    /// The condition holds: exit 0.
    case met
    /// The job ended in a state that cannot meet it: exit with this code.
    case endedOtherwise(WaitExit)
    /// Not yet: keep polling.
    case notYet
}

/// The exit codes of `clusterctl wait` (docs/clusterctl.md#exit-codes). 1 and 2 are those of `watch` and
/// `submit --follow` for a FAILED and a CANCELLED job; usage errors exit 64 as in every clusterctl command.
public enum WaitExit: Int32, CaseIterable, Sendable {
    /// The condition was met.
    case met = 0
    /// The job FAILED (or, for `--for running`, ended without being seen RUNNING).
    case jobFailed = 1
    /// The job was CANCELLED.
    case jobCancelled = 2
    /// The coordinator could not be reached (or did not answer in time) at the first call, or for 30 s after.
    case unreachable = 3
    /// `--timeout` passed before the condition was met.
    case timeout = 4
    /// Any other error: no such job, refused credentials, a bad config file.
    case otherError = 5
    /// The command line was wrong (ArgumentParser's EX_USAGE, as every clusterctl command).
    case usage = 64
}
