import ClusterRuntime
import Foundation
import Logging
import Testing

/// A psd whose service group fails (here: its data-plane port is taken) stops and says why: `start()`/`wait()`
/// throw the failure in process, and the psd binary logs it and exits non-zero.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DaemonFailureTests {
    /// A running coordinator psd whose native data-plane address the tests try to take again.
    func occupiedDataAddress() async throws -> (ParameterServerDaemon, HostPort) {
        let (daemon, client) = try await startCoordinator(dataDir: temporaryFolder("tessera-occupied"))
        client.close()
        return (daemon, try #require(try await daemon.dataAddress()))
    }

    @Test func aServiceThatFailsStopsTheDaemonWithItsError() async throws {
        let (first, taken) = try await occupiedDataAddress()
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        var config = ParameterServerConfig(
            listen: HostPort(host: "127.0.0.1", port: 0), dataDir: temporaryFolder("tessera-second"), coordinator: nil, name: "ps-1")
        config.dataListen = taken
        let second = try ParameterServerDaemon(config: config, logger: logger)
        await #expect {
            try await second.start()
            try await second.wait()
        } throws: { error in
            (error as? RuntimeFailure)?.message.hasPrefix("psd stopped because a service failed") == true
        }
        await first.stop()
    }

    @Test func psdLogsTheFailureAndExitsNonZero() async throws {
        let bin = try daemonBinDirectory()
        let (first, taken) = try await occupiedDataAddress()
        let result = try runProcess(
            bin.appendingPathComponent("psd").path,
            ["--listen", "127.0.0.1:0", "--data-listen", taken.description, "--coordinator-self", "--data-dir", temporaryFolder("tessera-psd")])
        #expect(result.status != 0, "psd exited with 0: \(result.output)")
        #expect(result.output.contains("psd stopped because a service failed"), "\(result.output)")
        await first.stop()
    }

    /// Every listener of the binary: a taken control or metrics port stops psd too (it used to keep running, silent,
    /// and ignore SIGTERM: the data-plane listener did not stop when the group was cancelled).
    @Test(arguments: ["--listen", "--metrics-listen"])
    func aTakenPortOfAnyListenerStopsPsdSayingWhich(_ flag: String) async throws {
        let bin = try daemonBinDirectory()
        let (first, taken) = try await occupiedDataAddress()  // a port some listener holds
        var arguments = ["--coordinator-self", "--data-dir", temporaryFolder("tessera-psd"), flag, taken.description]
        if flag != "--listen" { arguments += ["--listen", "127.0.0.1:0"] }
        let result = try runProcess(bin.appendingPathComponent("psd").path, arguments)
        #expect(result.status != 0, "psd exited with 0: \(result.output)")
        let listener = flag == "--listen" ? "cannot listen for gRPC on \(taken)" : "cannot listen for metrics on \(taken)"
        #expect(result.output.contains(listener), "\(result.output)")
        await first.stop()
    }
}
