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
        if let reason = namespacesUnavailable() { try Test.cancel("multi-host test skipped: \(reason)") }
        let bin = try binDirectory()
        let script = packageRoot().appendingPathComponent("deploy/netns/cluster.sh").path
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-netns-\(UUID().uuidString.prefix(8))").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "test"]
        var environment = ProcessInfo.processInfo.environment
        environment["TESSERA_BIN_DIR"] = bin.path
        environment["TESSERA_DATA_ROOT"] = testDataRoot()
        environment["TESSERA_NETNS_DIR"] = state
        environment["TESSERA_NETNS_EPOCHS"] = "30"
        environment["TESSERA_NETNS_PREFIX"] = "tsr\(getpid() % 100_000)"  // concurrent test runs must not share namespaces
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read on a thread of its own: the script runs for tens of seconds and must not hold a concurrency thread.
        let output = await withCheckedContinuation { (done: CheckedContinuation<String, Never>) in
            Thread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                done.resume(returning: String(decoding: data, as: UTF8.self))
            }.start()
        }

        #expect(process.terminationStatus == 0, "cluster.sh test failed:\n\(output)")
        let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("RESULT ") }, "no RESULT line:\n\(output)")
        let result = try jsonObject(String(line.dropFirst("RESULT ".count)))
        #expect(result["state"] as? String == "SUCCEEDED")
        #expect((result["cut_at_step"] as? Int ?? 0) > 0, "the link was cut before the job made progress")
        #expect(result["worker_2"] as? String == "dead" || result["worker_2"] as? String == "suspect")
        #expect((result["accuracy"] as? Double ?? 0) >= 0.9)
        #expect(output.contains("cluster down"))
    }

    /// Why namespaces cannot be made here, or nil when they can.
    func namespacesUnavailable() -> String? {
        guard getuid() == 0 else { return "not root (network namespaces need CAP_SYS_ADMIN); run as root or in a privileged container" }
        guard let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first(where: FileManager.default.isExecutableFile) else {
            return "ip (iproute2) is not installed: apt-get install iproute2"
        }
        let probe = "tsr-probe-\(getpid())"
        let add = Process()
        add.executableURL = URL(fileURLWithPath: ip)
        add.arguments = ["netns", "add", probe]
        add.standardOutput = FileHandle.nullDevice
        add.standardError = FileHandle.nullDevice
        guard (try? add.run()) != nil else { return "cannot run \(ip)" }
        add.waitUntilExit()
        guard add.terminationStatus == 0 else { return "`ip netns add` failed (no permission to create namespaces here)" }
        let del = Process()
        del.executableURL = URL(fileURLWithPath: ip)
        del.arguments = ["netns", "del", probe]
        try? del.run()
        del.waitUntilExit()
        return nil
    }
}
}
