import Synchronization

/// Work the coordinator runs beside its RPCs and ticks — checkpoints, restores, what a restart decided — as child
/// tasks of its lifecycle service (`CoordinatorSweeper`), which the daemon's service group owns: nothing outlives
/// the group, cancelling it cancels the work, a graceful shutdown lets the work finish. While the lifecycle does not
/// run (a service used alone, or after shutdown) `submit` refuses and the caller does the work itself.
final class BackgroundWork: Sendable {
    /// One piece of work.
    typealias Work = @Sendable () async -> Void

    private let stream: AsyncStream<Work>
    private let continuation: AsyncStream<Work>.Continuation
    /// Whether the lifecycle takes work.
    private let open = Mutex(false)

    init() {
        (stream, continuation) = AsyncStream.makeStream()
    }

    /// Takes work from now on (the lifecycle calls it before `run`).
    func accept() {
        open.withLock { $0 = true }
    }

    /// Hands `work` to the lifecycle; false (nothing queued) when it does not take work.
    func submit(_ work: @escaping Work) -> Bool {
        open.withLock { open in
            guard open else { return false }
            if case .enqueued = continuation.yield(work) { return true }
            return false
        }
    }

    /// Runs the submitted work, each piece as a child task, until `finish()`, then waits for what is still running.
    /// Cancelling the caller cancels the work.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await work in stream {
                group.addTask { await work() }
            }
        }
        open.withLock { $0 = false }
    }

    /// Takes no more work; what was submitted still runs.
    func finish() {
        open.withLock { open in
            open = false
            continuation.finish()
        }
    }
}
