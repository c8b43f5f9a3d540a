import ClusterAPI

extension Tessera_V1_JobState {
    /// The state as users see it: PENDING, RUNNING, RECOVERING, SUCCEEDED, FAILED, CANCELLED.
    public var displayName: String {
        switch self {
        case .pending: "PENDING"
        case .running: "RUNNING"
        case .succeeded: "SUCCEEDED"
        case .failed: "FAILED"
        case .cancelled: "CANCELLED"
        case .recovering: "RECOVERING"
        default: "UNKNOWN"
        }
    }

    /// Whether a job in this state has ended.
    public var isFinal: Bool {
        self == .succeeded || self == .failed || self == .cancelled
    }
}
