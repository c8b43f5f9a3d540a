import Coordinator
import CoordinatorStore
import Dispatch
import GRPCCore
import Logging
import Synchronization

/// The coordinator state machine behind its lock, and the store each change goes to: the one piece of shared
/// mutable state of the coordinator service.
final class PersistedCoordinator: Sendable {
    private let state: Mutex<Coordinator>
    /// The durable store of nodes and jobs (`<data-dir>/coordinator.sqlite`).
    let store: CoordinatorStore
    /// Where store writes run, one at a time, in the order the state changed: the file I/O (fsync) never blocks the
    /// concurrency pool's threads, and the lock is not held while it runs.
    private let storeQueue = DispatchQueue(label: "tessera.coordinator.store")
    /// Changes taken but not yet written, oldest first.
    private let pending = Mutex<[PendingWrite]>([])
    /// Held GetTask calls, woken by changes that can make a task assignable.
    let wakeups = TaskWakeups()
    private let logger: Logger

    /// Wraps a coordinator whose changes so far are already in `store`.
    init(_ coordinator: Coordinator, store: CoordinatorStore, logger: Logger) {
        state = Mutex(coordinator)
        self.store = store
        self.logger = logger
    }

    /// Reads (or changes without persisting: bookkeeping the store does not hold) the state machine under its lock.
    func read<R>(_ body: (inout Coordinator) throws -> R) throws -> R {
        do {
            return try state.withLock { try body(&$0) }
        } catch {
            throw RPCError(failure: error)
        }
    }

    /// Reads (or changes without persisting) the state machine under its lock, passing the body's own error through.
    func peek<R, E: Error>(_ body: (inout Coordinator) throws(E) -> R) throws(E) -> R {
        try state.withLock { (coordinator) throws(E) -> R in try body(&coordinator) }
    }

    /// Runs `body` on the state machine and returns once what it changed is in the store (so a caller answers only
    /// after its change is durable). The changes are taken under the lock and queued in lock order; the store's serial
    /// queue writes everything queued so far in one transaction (group commit: a burst of 1,000 registrations costs a
    /// few fsyncs, not 1,000). Progress figures alone are written without an fsync (`progressOnly`). A change that can
    /// make a task assignable wakes the held GetTask calls, unless the caller knows it cannot (`wakes: false`: handing a
    /// task out only takes a slot — without it, each of 50 assignments would wake all 1,000 held calls).
    func change<R: Sendable>(progressOnly: Bool = false, wakes: Bool = true, _ body: (inout Coordinator) throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, any Error>) in
            do {
                let wakes = try state.withLock { coordinator in
                    let result = try body(&coordinator)
                    let changes = coordinator.takeChanges()
                    enqueue(PendingWrite(changes: changes, progressOnly: progressOnly) { failure in
                        if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: result) }
                    })
                    return wakes && Self.wakesTaskWaiters(changes, progressOnly: progressOnly)
                }
                if wakes { wakeups.signal() }
            } catch {
                continuation.resume(throwing: RPCError(failure: error))
            }
        }
    }

    /// Whether a change can make a task assignable: nodes registered, judged dead or forgotten (not merely suspect),
    /// jobs deleted, or a job changed other than by its progress figures while it runs (progress reports are many and
    /// never free a slot).
    static func wakesTaskWaiters(_ changes: CoordinatorChanges, progressOnly: Bool) -> Bool {
        if changes.nodes.contains(where: { $0.state != .suspect }) || !changes.deletedNodes.isEmpty || !changes.deletedJobs.isEmpty { return true }
        guard !changes.jobs.isEmpty else { return false }
        return !progressOnly || changes.jobs.contains { $0.state != .running }
    }

    /// One change waiting for the store, and how to answer its caller.
    private struct PendingWrite: Sendable {
        let changes: CoordinatorChanges
        let progressOnly: Bool
        let finish: @Sendable ((any Error)?) -> Void
    }

    /// Queues a write (under the state lock, so in lock order); the first of a batch schedules the drain.
    private func enqueue(_ write: PendingWrite) {
        let first = pending.withLock { list in
            list.append(write)
            return list.count == 1
        }
        if first { storeQueue.async { self.drain() } }
    }

    /// Writes everything queued so far as one change set, then answers each caller.
    private func drain() {
        let batch = pending.withLock { list in
            defer { list.removeAll() }
            return list
        }
        guard let merged = CoordinatorChanges.merged(batch.map(\.changes)) else { return }
        do {
            try store.save(merged, progressOnly: batch.allSatisfy(\.progressOnly))
            for write in batch { write.finish(nil) }
        } catch {
            logger.error("could not persist coordinator state", metadata: ["store": "\(store.path)", "error": "\(error)"])
            let failure = RPCError(failure: RuntimeFailure(.unavailable, "the coordinator could not persist its state: \(error)"))
            for write in batch { write.finish(failure) }
        }
    }
}

extension CoordinatorService {
    /// Reads (or changes without persisting) the state machine under its lock.
    func readState<R>(_ body: (inout Coordinator) throws -> R) throws -> R { try machine.read(body) }

    /// Runs `body` on the state machine and returns once what it changed is in the store.
    func withState<R: Sendable>(progressOnly: Bool = false, wakes: Bool = true, _ body: (inout Coordinator) throws -> R) async throws -> R {
        try await machine.change(progressOnly: progressOnly, wakes: wakes, body)
    }

    /// The durable store of nodes and jobs.
    var store: CoordinatorStore { machine.store }
}
