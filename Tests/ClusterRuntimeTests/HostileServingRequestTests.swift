import ClusterAPI
import ClusterRuntime
import Foundation
import Testing

/// ServeJob and SyncServing with hostile numbers: refused with INVALID_ARGUMENT naming the problem, never a trap.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct HostileServingRequestTests {
    @Test func outOfRangeServingNumbersAreRefusedAndTheCoordinatorKeepsAnswering() async throws {
        let dir = NSTemporaryDirectory() + "tessera-hostile-serving-\(UUID().uuidString)"
        let (daemon, client) = try await startCoordinator(dataDir: dir)
        defer { Task { await daemon.stop() } }
        let job = try await client.submit(yaml: syntheticSpecYAML())

        for (replicas, refresh) in [(Int32.min, Int32?.none), (Int32.max, nil), (-1, nil), (1, Int32.min), (1, Int32.max), (1, 0)] {
            let refused = await statusOf { _ = try await client.serve(job.id, replicas: replicas, refreshMs: refresh) }
            #expect(refused?.code == .invalidArgument, "replicas \(replicas) refresh \(String(describing: refresh)): \(String(describing: refused))")
        }
        // A worker's report: a version past 2^63 − 1 or a negative age is refused; an unknown secret too.
        let worker = try await client.register(.with { $0.name = "w-hostile"; $0.role = .worker; $0.servingAddress = "127.0.0.1:1" })
        for report in [
            Tessera_V1_ReplicaReport.with { $0.jobID = job.id; $0.version = .max },
            .with { $0.jobID = job.id; $0.ageMs = .min },
            .with { $0.jobID = String(repeating: "9", count: 100) },
        ] {
            let refused = await statusOf {
                _ = try await client.syncServing(.with { $0.nodeID = worker.nodeID; $0.nodeSecret = worker.nodeSecret; $0.replicas = [report] })
            }
            #expect(refused?.code == .invalidArgument, "\(report): \(String(describing: refused))")
        }
        let stranger = await statusOf { _ = try await client.syncServing(.with { $0.nodeID = worker.nodeID; $0.nodeSecret = "wrong" }) }
        #expect(stranger?.code == .unauthenticated)
        #expect(try await client.job(job.id).servingReplicas == 0, "nothing refused changed the job")
    }
}
