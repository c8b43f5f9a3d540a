import Synchronization
import Testing

@testable import ClusterRuntime

/// The wake-ups behind GetTask's long poll, without sockets: a signal wakes every held call, a signal for one node
/// only that node's, a change between a call's check and its wait is not missed, closing releases everything, and the
/// number of held calls is bounded.
@Suite(.timeLimit(.minutes(1)))
struct TaskWakeupsTests {
    /// A task that waits for up to 60 s as `node`, then sets `done`.
    private func waiter(_ wakeups: TaskWakeups, node: UInt64, done: Flag = Flag()) -> Task<Void, Never> {
        let seen = wakeups.generation
        return Task {
            await wakeups.wait(since: seen, node: node, timeout: .seconds(60))
            done.set()
        }
    }

    /// A flag set once.
    final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    @Test func aSignalWakesEveryWaiterAndANodeSignalOnlyThatNodes() async throws {
        let wakeups = TaskWakeups()
        let first = waiter(wakeups, node: 1)
        let secondDone = Flag()
        let second = waiter(wakeups, node: 2, done: secondDone)
        try await Task.sleep(for: .milliseconds(200))
        wakeups.signal(node: 1)
        await first.value  // woken long before its 60 s timeout (the suite's limit is 1 minute)
        try await Task.sleep(for: .milliseconds(200))
        #expect(!secondDone.isSet, "a signal for node 1 woke node 2's call")
        let third = waiter(wakeups, node: 3)
        try await Task.sleep(for: .milliseconds(200))
        wakeups.signal()
        await second.value
        await third.value
    }

    @Test func aChangeBetweenTheCheckAndTheWaitIsNotMissed() async {
        let wakeups = TaskWakeups()
        let seen = wakeups.generation
        wakeups.signal(node: 42)  // for another node, but after this caller's check
        await wakeups.wait(since: seen, node: 7, timeout: .seconds(60))  // returns at once
        #expect(wakeups.generation != seen)
    }

    @Test func closingReleasesWaitersAndRefusesNewHolds() async throws {
        let wakeups = TaskWakeups()
        #expect(wakeups.enter())
        let held = waiter(wakeups, node: 1)
        try await Task.sleep(for: .milliseconds(200))
        wakeups.close()
        await held.value
        wakeups.leave()
        #expect(wakeups.isClosed && !wakeups.enter())
        await wakeups.wait(since: wakeups.generation, node: 1, timeout: .seconds(60))  // closed: returns at once
    }

    @Test func atMostMaxHeldCallsAreHeld() {
        let wakeups = TaskWakeups()
        for _ in 0..<TaskWakeups.maxHeld { #expect(wakeups.enter()) }
        #expect(!wakeups.enter(), "one past the bound was held")
        #expect(wakeups.heldCalls == TaskWakeups.maxHeld)
        wakeups.leave()
        #expect(wakeups.enter())
    }

    @Test func aTimeoutEndsTheWait() async {
        let wakeups = TaskWakeups()
        let clock = ContinuousClock()
        let started = clock.now
        await wakeups.wait(since: wakeups.generation, node: 1, timeout: .milliseconds(300))
        #expect(clock.now - started >= .milliseconds(300))
    }

    @Test func cancellingTheWaitingTaskEndsTheWait() async throws {
        let wakeups = TaskWakeups()
        let held = waiter(wakeups, node: 1)
        try await Task.sleep(for: .milliseconds(200))
        held.cancel()
        await held.value
    }
}
