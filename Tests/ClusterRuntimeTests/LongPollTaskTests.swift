import ClusterAPI
@testable import ClusterRuntime
import Foundation
import Testing

/// GetTask as a long poll (`wait_ms`) against a real coordinator psd over gRPC: a held call hears of a job submitted
/// while it waits, an idle one is held for its wait and answered with no task, a short poll is answered at once, the
/// coordinator stopping releases held calls, and a burst of registrations written by group commit survives a restart.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct LongPollTaskTests {
    private func registerWorker(_ client: CoordinatorClient, name: String = "poller") async throws -> NodeIdentity {
        let answer = try await client.register(.with {
            $0.name = name
            $0.role = .worker
            $0.device = "cpu"
            $0.threads = 1
        })
        return NodeIdentity(id: answer.nodeID, secret: answer.nodeSecret)
    }

    /// Runs `body` against a fresh coordinator psd and a client of it, then stops both.
    private func withCoordinator(_ body: (ParameterServerDaemon, CoordinatorClient) async throws -> Void) async throws {
        let dir = temporaryFolder("longpoll")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (daemon, client) = try await startCoordinator(dataDir: dir)
        defer { client.close() }
        try await body(daemon, client)
        await daemon.stop()
    }

    @Test func aHeldCallGetsTheTaskOfAJobSubmittedWhileItWaits() async throws {
        try await withCoordinator { _, client in
            let identity = try await registerWorker(client)
            let clock = ContinuousClock()
            let started = clock.now
            async let held = client.task(identity, wait: .seconds(25))
            try await Task.sleep(for: .milliseconds(500))
            let job = try await client.submit(yaml: syntheticSpecYAML(name: "held"))
            let answer = try await held
            let took = clock.now - started
            #expect(answer.hasTask)
            #expect(answer.task.jobID == job.id)
            #expect(answer.task.workerIndex == 0)
            // Answered when the job came, not at the end of the 25 s hold.
            #expect(took < .seconds(15), "the held call was answered after \(took)")
        }
    }

    @Test func anIdleCallIsHeldForItsWaitThenAnsweredWithoutATask() async throws {
        try await withCoordinator { _, client in
            let identity = try await registerWorker(client)
            let clock = ContinuousClock()
            let started = clock.now
            let held = try await client.task(identity, wait: .milliseconds(1500))
            #expect(clock.now - started >= .milliseconds(1500))
            #expect(!held.hasTask)
            #expect(held.retryAfterMs == 10, "after a full hold the worker asks again at once")
            // A worker that predates wait_ms (or asks for none) is answered at once and told to poll in 250 ms.
            let short = try await client.task(identity)
            #expect(!short.hasTask)
            #expect(short.retryAfterMs == 250)
        }
    }

    @Test func aHostileWaitIsHeldAtMostThirtySecondsAndStillAnswered() async throws {
        // Any wait_ms a client may send, up to UInt32.max, is held at most 30 s; the client never asks for more.
        #expect(CoordinatorService.taskHold(waitMs: .max) == .seconds(30))
        #expect(CoordinatorService.taskHold(waitMs: 0) == .zero)
        #expect(CoordinatorClient.wireMilliseconds(.seconds(Int64.max)) == 30_000)
        #expect(CoordinatorClient.wireMilliseconds(.milliseconds(-5)) == 0)
        #expect(CoordinatorClient.wireMilliseconds(.microseconds(999)) == 0)
        try await withCoordinator { _, client in
            let identity = try await registerWorker(client)
            // Sent as is, past the client's own bound: the psd holds it and answers with the job submitted meanwhile.
            async let held = client.stub.getTask(.with { $0.nodeID = identity.id; $0.nodeSecret = identity.secret; $0.waitMs = .max })
            try await Task.sleep(for: .milliseconds(500))
            let job = try await client.submit(yaml: syntheticSpecYAML(name: "hostile-wait"))
            #expect(try await held.task.jobID == job.id)
        }
    }

    @Test func stoppingTheCoordinatorReleasesHeldCalls() async throws {
        try await withCoordinator { daemon, client in
            let identities = try await (0..<8).asyncMap { try await registerWorker(client, name: "poller-\($0)") }
            let clock = ContinuousClock()
            let started = clock.now
            let held = Task {
                await withTaskGroup(of: Bool.self) { group in
                    for identity in identities {
                        group.addTask { (try? await client.task(identity, wait: .seconds(28))).map { !$0.hasTask } ?? true }
                    }
                    return await group.reduce(true) { $0 && $1 }
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            await daemon.stop()
            let allEnded = await held.value
            #expect(allEnded, "a held call got a task from a stopping coordinator")
            #expect(clock.now - started < .seconds(20), "stopping waited for the 28 s holds (\(clock.now - started))")
        }
    }

    @Test func aWorkerStoppingCancelsItsHeldCall() async throws {
        try await withCoordinator { _, client in
            let identity = try await registerWorker(client)
            let clock = ContinuousClock()
            let started = clock.now
            let held = Task { try await client.task(identity, wait: .seconds(28)) }
            try await Task.sleep(for: .milliseconds(300))
            held.cancel()
            let outcome = await held.result
            #expect((try? outcome.get()) == nil, "a cancelled held call ended with an answer")
            #expect(clock.now - started < .seconds(20), "cancelling waited for the 28 s hold (\(clock.now - started))")
            // The coordinator still answers this node (its place for a held call was given back).
            #expect(try await client.task(identity).retryAfterMs == 250)
        }
    }

    @Test func aBurstOfRegistrationsIsDurableAfterARestart() async throws {
        let dir = temporaryFolder("longpoll")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (daemon, client) = try await startCoordinator(dataDir: dir)
        let identities = try await withThrowingTaskGroup(of: (String, NodeIdentity).self) { group in
            for i in 0..<200 { group.addTask { ("burst-\(i)", try await registerWorker(client, name: "burst-\(i)")) } }
            return try await group.reduce(into: [String: NodeIdentity]()) { $0[$1.0] = $1.1 }
        }
        client.close()
        await daemon.stop()
        let (again, reopened) = try await startCoordinator(dataDir: dir)
        defer { reopened.close() }
        let nodes = try await reopened.status().nodes.filter { $0.info.name.hasPrefix("burst-") }
        #expect(nodes.count == 200)
        for node in nodes { #expect(identities[node.info.name]?.id == node.id) }
        // Every node keeps its secret: a heartbeat with it is accepted (no re-registration asked).
        for (_, identity) in identities.prefix(20) {
            #expect(try await reopened.heartbeat(nodeID: identity.id, secret: identity.secret) == false)
        }
        await again.stop()
    }
}

extension Sequence {
    /// The elements mapped by an async closure, in order.
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
