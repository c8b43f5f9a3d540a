import Foundation
import Testing

extension EndToEndProcesses {
/// Runs deploy/netns/cluster.sh test: 2 psd + 3 workerd, each in its own network namespace with its
/// own address, token auth on; a job submitted from a sixth namespace; worker-2's link cut mid-job.
/// The job must still succeed and the coordinator must see worker-2 dead. Cancelled (skipped) with
/// a reason where namespaces cannot be created (not root, no iproute2, no CAP_SYS_ADMIN).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct MultiHostTests {
    @Test func clusterAcrossNamespacesSurvivesACutWorkerLink() async throws {
        if ProcessInfo.processInfo.environment["TESSERA_MULTIHOST"] == "0" {
            try Test.cancel("multi-host test turned off with TESSERA_MULTIHOST=0")
        }
        if let reason = networkNamespacesUnavailable() { try Test.cancel("multi-host test skipped: \(reason)") }
        let bin = try binDirectory()
        let script = packageRoot().appendingPathComponent("deploy/netns/cluster.sh").path
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-netns-\(UUID().uuidString.prefix(8))").path
        let run = try await runScript("/bin/bash", [script, "test"], environment: [
            "TESSERA_BIN_DIR": bin.path, "TESSERA_DATA_ROOT": testDataRoot(), "TESSERA_NETNS_DIR": state, "TESSERA_NETNS_EPOCHS": "30",
            "TESSERA_NETNS_PREFIX": "tsr\(getpid() % 100_000)",  // concurrent test runs must not share namespaces
        ])
        let output = run.output
        #expect(run.status == 0, "cluster.sh test failed:\n\(output)")
        let result = try #require(run.result, "no RESULT line:\n\(output)")
        #expect(result["state"] as? String == "SUCCEEDED")
        #expect((result["cut_at_step"] as? Int ?? 0) > 0, "the link was cut before the job made progress")
        #expect(result["worker_2"] as? String == "dead" || result["worker_2"] as? String == "suspect")
        #expect((result["accuracy"] as? Double ?? 0) >= 0.9)
        #expect(output.contains("cluster down"))
    }
}
}
