import Synchronization

/// Wakes GetTask calls held as long polls (`GetTaskRequest.wait_ms`) when something that can make a task assignable
/// changes (a job submitted, ended or re-placed, a node registered or judged dead): each held call re-checks at once
/// instead of its worker polling every 250 ms. A held call counts against `maxHeld`; `close()` (the coordinator
/// stopping) releases every held call and makes later ones answer at once.
final class TaskWakeups: Sendable {
    /// Most GetTask calls held at once; more are answered at once (their workers poll as before).
    static let maxHeld = 4096

    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: (node: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
        /// Waits whose timeout or cancellation came before they were registered.
        var released: Set<UInt64> = []
        var nextWait: UInt64 = 0
        var held = 0
        var closed = false
    }

    private let state = Mutex(State())

    /// Creates the signal with nothing held.
    init() {}

    /// A counter that moves on every `signal()`: a caller reads it before it checks for a task and waits only while it
    /// has not moved (no change between the check and the wait is missed).
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Whether the coordinator is stopping (held calls answer at once).
    var isClosed: Bool { state.withLock { $0.closed } }

    /// Calls held now.
    var heldCalls: Int { state.withLock { $0.held } }

    /// Takes one of the `maxHeld` places for a held call; false when they are taken or the coordinator is stopping.
    func enter() -> Bool {
        state.withLock { s in
            guard !s.closed, s.held < Self.maxHeld else { return false }
            s.held += 1
            return true
        }
    }

    /// Gives back the place `enter()` took.
    func leave() {
        state.withLock { $0.held -= 1 }
    }

    /// Something changed: every waiting call re-checks, or only the calls of `node` when the change concerns it alone
    /// (a worker back from suspect). The generation moves either way, so a call between its check and its wait
    /// re-checks once more rather than missing the change.
    func signal(node: UInt64? = nil) {
        let woken = state.withLock { s in
            s.generation &+= 1
            guard let node else {
                defer { s.waiters.removeAll() }
                return s.waiters.values.map(\.continuation)
            }
            let ids = s.waiters.filter { $0.value.node == node }.map(\.key)
            return ids.compactMap { s.waiters.removeValue(forKey: $0)?.continuation }
        }
        for waiter in woken { waiter.resume() }
    }

    /// Releases every waiting call and makes later waits return at once: the coordinator is stopping.
    func close() {
        state.withLock { $0.closed = true }
        signal()
    }

    /// Returns when the generation has moved past `seen` (by a signal for everyone or for `node`), after `timeout`,
    /// when the calling task is cancelled or when `close()` is called, whichever comes first.
    func wait(since seen: UInt64, node: UInt64, timeout: Duration) async {
        let id = state.withLock { s in
            s.nextWait &+= 1
            return s.nextWait
        }
        let timer = Task { [self] in
            do {
                // A tolerance of its own: left unset, the timer may fire a tenth of the timeout late (≈ 0.5 s of 5 s).
                try await Task.sleep(for: timeout, tolerance: .milliseconds(1))
                release(id)
            } catch {}
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.closed || s.generation != seen || s.released.remove(id) != nil { return true }
                    s.waiters[id] = (node, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            release(id)
        }
        timer.cancel()
        _ = await timer.value
        state.withLock { _ = $0.released.remove(id) }
    }

    /// Ends one wait (its timeout, or its task cancelled); remembered when the wait has not registered yet.
    private func release(_ id: UInt64) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let waiter = s.waiters.removeValue(forKey: id) { return waiter.continuation }
            s.released.insert(id)
            return nil
        }
        waiter?.resume()
    }
}
