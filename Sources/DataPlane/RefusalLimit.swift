/// The limit that caused a refusal: the `limit` label of `tessera_refused_total` (stable; new ones may be added).
public enum RefusalLimit: String, Sendable, CaseIterable {
    /// A connection over `max_connections`.
    case connections
    /// A connection closed after `idle_timeout` without traffic.
    case idleTimeout = "idle_timeout"
    /// A long-polling pull over `max_pending_pulls`.
    case pendingPulls = "pending_pulls"
    /// A pull whose answer would pass `max_answer_bytes`.
    case answerBytes = "answer_bytes"
    /// A Health.Watch stream over `max_watch_streams`.
    case watchStreams = "watch_streams"
    /// A message over a transport's size limit, or any message before the handshake.
    case messageBytes = "message_bytes"
    /// Job state that would pass `memory_limit` (a job's variables at submit or creation, embedding rows).
    case memory
    /// A job's data over a worker's `max_data_bytes`.
    case dataBytes = "data_bytes"
    /// A request with a missing or wrong token or node secret.
    case authentication
    /// A job spec or request over a named bound of docs/security.md.
    case specBounds = "spec_bounds"
    /// A connection closed because what it sent could not be parsed (an HTTP request on the metrics port).
    case malformed
}

/// Counts one refusal; a psd passes its Prometheus counter (`RefusalMetrics.record`), tests and tools may pass nothing.
public typealias RefusalRecorder = @Sendable (RefusalLimit) -> Void
