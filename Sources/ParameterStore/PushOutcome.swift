/// What a push did.
public enum PushOutcome: Sendable, Equatable {
    /// An update was applied; the job is now at `newVersion`.
    case applied(newVersion: UInt64)
    /// The gradients were taken without an update yet. Sync: `count` of `needed` workers have delivered every partition
    /// for this version; async: one message of a chunked push whose other rows have not all arrived (count 0, needed 1).
    case accumulated(count: Int, needed: Int)
    /// The push changed nothing: it was computed `staleBy` (≥ 1) versions ago; the worker should pull again.
    case dropped(staleBy: UInt64)
    /// Sync mode: the push changed nothing: this worker already delivered all of it for the current version.
    case duplicate
}
