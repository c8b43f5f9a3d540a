import Foundation
import Synchronization

/// A thread of its own that a worker's step loop runs on (`withTaskExecutorPreference`): the compute stays on one
/// core's caches instead of moving between the cooperative pool's threads at every await, and the pool is left to
/// everything else. Threads are leased per task run and given back for the next one (a process running several
/// workers at once, as the tests do, holds one per loop running); a thread never ends, so a task that still refers to
/// it (unowned, as task executor preferences are) finds it, and jobs queued after it was given back still run.
public final class StepThread: TaskExecutor, @unchecked Sendable {
    private static let idle = Mutex<[StepThread]>([])

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    /// A thread for one step loop: an idle one, or a new one.
    public static func lease() -> StepThread {
        idle.withLock { $0.popLast() } ?? StepThread()
    }

    /// Gives the thread back for the next loop.
    public func release() {
        Self.idle.withLock { $0.append(self) }
    }

    private init() {
        let thread = Thread { [self] in run() }
        thread.name = "tessera-step"
        thread.start()
    }

    /// Queues `job`; the thread runs queued jobs in order.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        let executor = asUnownedTaskExecutor()
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: executor) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
