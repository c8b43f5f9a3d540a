/// What a push did.
public enum PushOutcome: Sendable, Equatable {
    /// An update was applied; the job is now at `newVersion`.
    case applied(newVersion: UInt64)
    /// Sync mode: the gradients were accumulated; `count` of `needed` workers have delivered for this version.
    case accumulated(count: Int, needed: Int)
    /// The push changed nothing: computed `staleBy` versions ago (stale, the worker should re-pull),
    /// or `staleBy == 0` in sync mode when this worker already delivered these partitions for the current version.
    case dropped(staleBy: UInt64)
}
