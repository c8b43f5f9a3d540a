extension ShardJob {
    /// Returns once the version is at least `version`, or fails with deadlineExceeded / cancelled.
    func waitForVersion(atLeast version: UInt64, timeout: Duration) async -> Result<UInt64, StoreError> {
        let immediate: Result<UInt64, StoreError>? = state.withLock { s in
            if s.dropped { return .failure(droppedError) }
            return s.version >= version ? .success(s.version) : nil
        }
        if let immediate { return immediate }
        let jobID = self.jobID
        return await withTaskGroup(of: Result<UInt64, StoreError>.self) { group in
            group.addTask { await self.suspendUntil(version) }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                } catch {
                    return .failure(StoreError(.cancelled, "Waiting for version \(version) of job \(jobID) was cancelled."))
                }
                return .failure(StoreError(.deadlineExceeded, "Job \(jobID) did not reach version \(version) within \(timeout)."))
            }
            let first = await group.next() ?? .failure(StoreError(.cancelled, "Waiting for version \(version) of job \(jobID) was cancelled."))
            group.cancelAll()
            return first
        }
    }

    /// Suspends as a registered waiter until the version exists, the job is dropped or the task is cancelled.
    private func suspendUntil(_ version: UInt64) async -> Result<UInt64, StoreError> {
        let id = state.withLock { s in
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        let cancelled = StoreError(.cancelled, "Waiting for version \(version) of job \(jobID) was cancelled.")
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<UInt64, StoreError>, Never>) in
                let now: Result<UInt64, StoreError>? = state.withLock { s in
                    if s.dropped { return .failure(StoreError(.cancelled, "Job \(jobID) was dropped while waiting for version \(version).")) }
                    if s.version >= version { return .success(s.version) }
                    // Checked under the lock so a cancellation cannot slip between this check and registration.
                    if Task.isCancelled { return .failure(cancelled) }
                    s.waiters.append(VersionWaiter(id: id, atLeast: version, continuation: continuation))
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { s in s.removeWaiter(id) }
            waiter?.continuation.resume(returning: .failure(cancelled))
        }
    }
}
