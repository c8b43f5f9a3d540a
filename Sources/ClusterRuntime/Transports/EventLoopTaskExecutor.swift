import NIOCore
import Synchronization

/// A NIO event loop as a Swift `TaskExecutor`: a task that prefers it (`Task(executorPreference:)`) runs its jobs on
/// the loop's thread, so a call whose answer the loop reads resumes there at once instead of waking another thread.
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    /// The loop the jobs run on.
    let loop: any EventLoop

    private init(_ loop: any EventLoop) { self.loop = loop }

    /// One executor per loop, kept for the life of the process: a task refers to its preferred executor unowned, and a
    /// loop's tasks may outlive the connection that chose it.
    private static let executors = Mutex<[ObjectIdentifier: EventLoopTaskExecutor]>([:])

    /// The executor of `loop`.
    static func of(_ loop: any EventLoop) -> EventLoopTaskExecutor {
        executors.withLock { all in
            let key = ObjectIdentifier(loop)
            if let executor = all[key] { return executor }
            let executor = EventLoopTaskExecutor(loop)
            all[key] = executor
            return executor
        }
    }

    /// Runs `job` on the loop (at once when called there: appended to the loop's queue without a wake-up).
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
