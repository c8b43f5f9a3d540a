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
    /// after its change is durable). The changes are taken under the lock and written on the store's serial queue in
    /// lock order. Progress figures alone are written without an fsync (`progressOnly`).
    func change<R: Sendable>(progressOnly: Bool = false, _ body: (inout Coordinator) throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, any Error>) in
            do {
                try state.withLock { coordinator in
                    let result = try body(&coordinator)
                    let changes = coordinator.takeChanges()
                    storeQueue.async {
                        do {
                            try self.store.save(changes, progressOnly: progressOnly)
                            continuation.resume(returning: result)
                        } catch {
                            self.logger.error("could not persist coordinator state", metadata: ["store": "\(self.store.path)", "error": "\(error)"])
                            continuation.resume(throwing: RPCError(failure: RuntimeFailure(.unavailable, "the coordinator could not persist its state: \(error)")))
                        }
                    }
                }
            } catch {
                continuation.resume(throwing: RPCError(failure: error))
            }
        }
    }
}

extension CoordinatorService {
    /// Reads (or changes without persisting) the state machine under its lock.
    func readState<R>(_ body: (inout Coordinator) throws -> R) throws -> R { try machine.read(body) }

    /// Runs `body` on the state machine and returns once what it changed is in the store.
    func withState<R: Sendable>(progressOnly: Bool = false, _ body: (inout Coordinator) throws -> R) async throws -> R {
        try await machine.change(progressOnly: progressOnly, body)
    }

    /// The durable store of nodes and jobs.
    var store: CoordinatorStore { machine.store }
}
