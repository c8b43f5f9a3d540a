import ClusterAPI
import ClusterRuntime
import Foundation
import GRPCCore
import Logging
import Testing

/// Node secrets through the real services: another client (holding the cluster's token) cannot speak for a node
/// by its id, cannot take a live node's name, and a restarted coordinator keeps every secret.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct NodeSecretTests {
    @Test func anotherClientCannotSpeakForARegisteredNode() async throws {
        let cluster = try await InProcessCluster.start(shards: 1, workers: 1, dataRoot: testDataRoot())
        let status = try await cluster.client.status()
        let worker = try #require(status.nodes.first { $0.info.name == "worker-0" })
        let intruder = try CoordinatorClient(address: cluster.coordinatorAddress)
        defer { intruder.close() }
        let expected = "node \(worker.id): the node secret does not match; register again"
        for secret in ["", "00000000000000000000000000000000"] {
            let identity = NodeIdentity(id: worker.id, secret: secret)
            let heartbeat = await statusOf { _ = try await intruder.heartbeat(nodeID: worker.id, secret: secret) }
            let task = await statusOf { _ = try await intruder.task(identity) }
            let report = await statusOf {
                _ = try await intruder.report(.with { $0.nodeID = worker.id; $0.nodeSecret = secret; $0.jobID = "job-1"; $0.failure = "forged" })
            }
            let declare = await statusOf {
                _ = try await intruder.declare(.with { $0.nodeID = worker.id; $0.nodeSecret = secret; $0.jobID = "job-1" })
            }
            for refusal in [heartbeat, task, report, declare] {
                #expect(refusal?.code == .unauthenticated && refusal?.message.contains(expected) == true, "\(String(describing: refusal))")
            }
        }
        // Its live name cannot be taken either.
        let taken = await statusOf { _ = try await intruder.register(.with { $0.name = "worker-0"; $0.role = .worker }) }
        #expect(taken?.code == .alreadyExists && taken?.message.contains("node-\(worker.id)") == true, "\(String(describing: taken))")

        // The real worker was not disturbed: it still trains.
        let job = try await cluster.client.submit(yaml: syntheticSpecYAML(maxSteps: 30))
        #expect(try await cluster.waitForEnd(job.id).state == .succeeded)
        await cluster.stop()
    }

    @Test func aRestartedCoordinatorKeepsEverySecret() async throws {
        let dir = temporaryFolder("tessera-secrets")
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        func service() throws -> CoordinatorService {
            try CoordinatorService(name: "ps-0", dataDir: dir, heartbeatInterval: .seconds(1), heartbeatTimeout: .seconds(10), logger: logger)
        }
        let node = Tessera_V1_NodeInfo.with { $0.name = "w-0"; $0.role = .worker }
        var first: Tessera_V1_RegisterResponse?
        do {
            first = try await service().register(node)
        }
        let registered = try #require(first)
        #expect(registered.nodeSecret.count == 32)

        let restarted = try service()
        #expect(try restarted.heartbeat(nodeID: registered.nodeID, secret: registered.nodeSecret) == false)
        #expect(throws: RPCError.self) { _ = try restarted.heartbeat(nodeID: registered.nodeID, secret: "wrong") }
        await #expect(throws: RPCError.self) { _ = try await restarted.register(node) }
        let again = try await restarted.register(node, secret: registered.nodeSecret)
        #expect(again.nodeID == registered.nodeID && again.nodeSecret == registered.nodeSecret)
        #expect(try restarted.heartbeat(nodeID: 99, secret: "") == true)  // unknown: register again
        try? FileManager.default.removeItem(atPath: dir)
    }
}
