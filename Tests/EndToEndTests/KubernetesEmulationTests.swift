import Foundation
import Testing

extension EndToEndProcesses {
/// Runs `deploy/kubernetes/emulate test`: every pod of the Kubernetes manifests started as a kubelet would
/// (network namespace and hosts-file cluster DNS per pod, ConfigMap/Secret/state volumes at their mount
/// paths, uid 10001, read-only root, the container's exact command), probed as declared; a job submitted
/// through the Service name with the token must succeed. Cancelled (skipped) with a reason where
/// namespaces cannot be created or a tool is missing; TESSERA_K8S_EMULATION=0 turns it off.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct KubernetesEmulationTests {
    @Test func manifestsRunAsAKubeletWouldRunThem() async throws {
        if ProcessInfo.processInfo.environment["TESSERA_K8S_EMULATION"] == "0" {
            try Test.cancel("Kubernetes emulation test turned off with TESSERA_K8S_EMULATION=0")
        }
        if let reason = networkNamespacesUnavailable() ?? emulationToolsMissing() {
            try Test.cancel("Kubernetes emulation test skipped: \(reason)")
        }
        let bin = try binDirectory()
        let run = try await runScript("/usr/bin/env", ["python3", packageRoot().appendingPathComponent("deploy/kubernetes/emulate").path, "test"], environment: [
            "TESSERA_BIN_DIR": bin.path, "TESSERA_DATA_ROOT": testDataRoot(),
            "TESSERA_K8S_PREFIX": "tk8s\(getpid() % 100_000)",  // concurrent runs must not share namespaces
        ])
        let output = run.output
        #expect(run.status == 0, "emulate test failed:\n\(output)")
        let result = try #require(run.result, "no RESULT line:\n\(output)")
        #expect(result["state"] as? String == "SUCCEEDED", "\(output)")
        let target = try #require(result["target"] as? Double)
        #expect((result["accuracy"] as? Double ?? 0) >= target)
        let pods = try #require(result["pods"] as? [String: Any], "no pods in RESULT")
        #expect(pods.keys.contains("ps-0") && pods.keys.contains("ps-1"))
        #expect(pods.keys.contains { $0.hasPrefix("workerd-") })
        for (pod, readyAfter) in pods { #expect(readyAfter is Double, "pod \(pod) never became ready") }
        #expect(result["all_ready"] as? Bool == true)
        #expect(result["nodes_alive"] as? Int == pods.count, "the coordinator must see every pod's daemon alive")
        #expect(result["liveness_failures"] as? Int == 0)
        #expect(result["liveness_passed"] as? Bool == true)
        let metrics = try #require(result["metrics"] as? [String: Int])
        #expect(metrics.count == pods.count && metrics.values.allSatisfy { $0 == 200 }, "metrics endpoints: \(metrics)")
        #expect(output.contains("emulate: down:"))
    }

    /// Which tool the emulation needs is missing, or nil when all are there.
    func emulationToolsMissing() -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":")
        for tool in ["unshare", "setpriv", "nsenter", "curl", "python3"] {
            if !path.contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }) {
                return "\(tool) is not installed: apt-get install util-linux curl python3"
            }
        }
        guard let yaml = exitStatus("/usr/bin/env", ["python3", "-c", "import yaml"]) else { return "cannot run python3" }
        return yaml == 0 ? nil : "PyYAML is missing: apt-get install python3-yaml"
    }
}
}
