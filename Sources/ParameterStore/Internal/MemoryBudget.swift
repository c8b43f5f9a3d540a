import Synchronization

/// A shard's byte budget for job state (values, optimizer slots, sync sums, embedding arenas): every allocation
/// is reserved here first, so a job that would pass the limit is refused with a sentence instead of the process
/// being killed for memory. Without a limit it only counts.
final class MemoryBudget: Sendable {
    /// The most bytes that may be held; nil = unlimited.
    let limit: Int?
    private let used = Mutex(0)

    /// Creates an empty budget.
    init(limit: Int?) {
        self.limit = limit.map { max(0, $0) }
    }

    /// Bytes reserved now.
    var bytesUsed: Int { used.withLock { $0 } }

    /// Reserves `bytes` (≥ 0) or throws `resourceExhausted` naming `what` needs them (a noun phrase such as
    /// "Job 7's partitions and optimizer slots"), the room left and the limit; nothing is reserved then.
    func reserve(_ bytes: Int, for what: @autoclosure () -> String) throws(StoreError) {
        guard bytes > 0 else { return }
        let room: Int? = used.withLock { u in
            let (total, overflow) = u.addingReportingOverflow(bytes)
            if let limit, overflow || total > limit { return max(0, limit - u) }
            if overflow { return 0 }
            u = total
            return nil
        }
        if let room {
            throw StoreError(
                .resourceExhausted,
                "\(what()) would take \(bytes) bytes of memory, but this shard has \(room) of its \(limit ?? Int.max)-byte memory limit left (psd --memory-limit).")
        }
    }

    /// Returns `bytes` reserved earlier.
    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.withLock { $0 = max(0, $0 - bytes) }
    }
}
