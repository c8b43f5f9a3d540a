import ClusterAPI
import ClusterRuntime
import Foundation

/// Simulated workers for `tessera-bench control-plane`: in-process clients that register, heartbeat and poll for
/// tasks exactly as workerd's MembershipService and WorkerAgent do (same RPCs, same intervals, GetTask as a long poll
/// or, with no wait, every 250 ms), over a few shared gRPC channels; every call's latency is recorded per RPC (a
/// held GetTask that ends without a task: how far past its wait it was answered).
enum ControlPlaneLoad {
    /// workerd's default GetTask poll interval when the coordinator sets no `retry_after_ms` (WorkerConfig.pollInterval).
    static let defaultPoll = Duration.milliseconds(250)
    /// Heartbeat interval when the coordinator names none (workerd's MembershipService default).
    static let defaultHeartbeat = Duration.seconds(1)
    /// Bounds on the waits the coordinator may ask for (its answers are outside numbers).
    static let minWaitMs: Int64 = 10, maxWaitMs: Int64 = 60_000

    /// What one simulated node saw: seconds per call of each RPC, failures and unexpected tasks.
    struct NodeSamples: Sendable {
        var register: [Double] = []
        var heartbeat: [Double] = []
        var getTask: [Double] = []
        /// Held GetTask calls that ended without a task: seconds past the wait they asked for.
        var heldOvershoot: [Double] = []
        /// When a task reached this node (it then stops polling, as a worker running its task does).
        var taskReceivedAt: [ContinuousClock.Instant] = []
        var failures: [String: Int] = [:]
        var tasksOffered = 0
        var reregisterRequests = 0
    }

    /// A wait the coordinator asked for, in milliseconds, bounded to `minWaitMs…maxWaitMs`; `fallback` when 0 or less.
    static func wait(ms: Int32, fallback: Duration) -> Duration {
        guard ms > 0 else { return fallback }
        return .milliseconds(min(max(Int64(ms), minWaitMs), maxWaitMs))
    }

    /// Registers every node at once (one burst, as a cluster starting); node i uses `clients[i % clients.count]`.
    static func registerAll(_ clients: [CoordinatorClient], nodes: Int) async throws -> (identities: [NodeIdentity], heartbeat: Duration, samples: [Double]) {
        try await withThrowingTaskGroup(of: (Int, NodeIdentity, Int32, Double).self) { group in
            for i in 0..<nodes {
                group.addTask {
                    let info = Tessera_V1_NodeInfo.with {
                        $0.name = "sim-worker-\(i)"
                        $0.role = .worker
                        $0.device = "cpu"
                        $0.threads = 1
                        $0.version = tesseraVersion
                    }
                    let clock = ContinuousClock()
                    let started = clock.now
                    let answer = try await clients[i % clients.count].register(info)
                    let took = BenchOutput.seconds(clock.now - started)
                    return (i, NodeIdentity(id: answer.nodeID, secret: answer.nodeSecret), answer.heartbeatIntervalMs, took)
                }
            }
            var identities = [NodeIdentity?](repeating: nil, count: nodes)
            var samples: [Double] = []
            var heartbeatMs: Int32 = 0
            for try await (i, identity, interval, took) in group {
                identities[i] = identity
                heartbeatMs = interval
                samples.append(took)
            }
            return (identities.compactMap { $0 }, wait(ms: heartbeatMs, fallback: defaultHeartbeat), samples)
        }
    }

    /// Runs every node's heartbeat loop and GetTask loop until `deadline`; each node starts at a random offset within
    /// one interval (real workers do not start in step). Returns the merged samples.
    /// `taskWait` above zero: each GetTask is a long poll of up to that long (workerd's `taskWait`), never past `deadline`.
    static func run(_ clients: [CoordinatorClient], identities: [NodeIdentity], heartbeat: Duration, taskWait: Duration,
                    until deadline: ContinuousClock.Instant) async -> NodeSamples {
        await withTaskGroup(of: NodeSamples.self) { group in
            for (i, identity) in identities.enumerated() {
                let client = clients[i % clients.count]
                group.addTask { await heartbeatLoop(client, identity, heartbeat, deadline) }
                group.addTask { await pollLoop(client, identity, taskWait, deadline) }
            }
            // The window ends: calls still held are cancelled (not counted), as workers stopping would.
            group.addTask {
                try? await Task.sleep(until: deadline, clock: ContinuousClock())
                return NodeSamples()
            }
            var all = NodeSamples()
            var windowEnded = false
            for await s in group {
                if !windowEnded, ContinuousClock.now >= deadline {
                    windowEnded = true
                    group.cancelAll()
                }
                all.heartbeat += s.heartbeat
                all.getTask += s.getTask
                all.heldOvershoot += s.heldOvershoot
                all.taskReceivedAt += s.taskReceivedAt
                all.failures.merge(s.failures, uniquingKeysWith: +)
                all.tasksOffered += s.tasksOffered
                all.reregisterRequests += s.reregisterRequests
            }
            return all
        }
    }

    private static func heartbeatLoop(_ client: CoordinatorClient, _ identity: NodeIdentity, _ interval: Duration, _ deadline: ContinuousClock.Instant) async -> NodeSamples {
        var s = NodeSamples()
        let clock = ContinuousClock()
        try? await Task.sleep(for: interval * Double.random(in: 0..<1))
        while clock.now < deadline {
            let started = clock.now
            do {
                if try await client.heartbeat(nodeID: identity.id, secret: identity.secret) { s.reregisterRequests += 1 }
                s.heartbeat.append(BenchOutput.seconds(clock.now - started))
            } catch {
                if clock.now >= deadline { break }  // cancelled at the window's end
                s.failures["Heartbeat \(failureCode(error))", default: 0] += 1
            }
            let next = clock.now + interval
            guard next < deadline else { break }  // the window ends before the next beat: no sleep past it
            try? await Task.sleep(until: next, clock: clock)
        }
        return s
    }

    private static func pollLoop(_ client: CoordinatorClient, _ identity: NodeIdentity, _ taskWait: Duration, _ deadline: ContinuousClock.Instant) async -> NodeSamples {
        var s = NodeSamples()
        let clock = ContinuousClock()
        // Short polls start at a random offset within one interval. Long polls start at once, the first holding a random
        // part of the wait: in steady state every idle worker has a call held, and they end at staggered times.
        if taskWait == .zero { try? await Task.sleep(for: defaultPoll * Double.random(in: 0..<1)) }
        var first = true
        while clock.now < deadline {
            let started = clock.now
            var wait = defaultPoll
            do {
                let hold = taskWait == .zero ? .zero : first ? taskWait * Double.random(in: 0.05..<1) : taskWait
                first = false
                let wholeMs = CoordinatorService.taskHold(waitMs: CoordinatorClient.wireMilliseconds(hold))  // what the wire carries
                let answer = try await client.task(identity, wait: wholeMs)
                let took = clock.now - started
                if answer.hasTask {
                    s.tasksOffered += 1
                    s.taskReceivedAt.append(clock.now)
                    break  // a worker runs its task now instead of polling
                }
                if wholeMs > .zero, took >= wholeMs {
                    s.heldOvershoot.append(BenchOutput.seconds(took - wholeMs))
                } else {
                    s.getTask.append(BenchOutput.seconds(took))
                }
                wait = Self.wait(ms: answer.retryAfterMs, fallback: defaultPoll)
            } catch {
                if clock.now >= deadline { break }  // cancelled at the window's end
                s.failures["GetTask \(failureCode(error))", default: 0] += 1
                wait = .seconds(1)  // workerd waits 1 s after a failed GetTask
            }
            let next = clock.now + wait
            guard next < deadline else { break }
            try? await Task.sleep(until: next, clock: clock)
        }
        return s
    }

    private static func failureCode(_ error: any Error) -> String {
        (error as? RuntimeFailure).map { "\($0.code)" } ?? "\(type(of: error))"
    }

    /// Quantile `q` (0…1) of samples, in milliseconds (nan when empty): the nearest-rank value.
    static func quantileMs(_ samples: [Double], _ q: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let sorted = samples.sorted()
        let rank = min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[rank] * 1000
    }
}
