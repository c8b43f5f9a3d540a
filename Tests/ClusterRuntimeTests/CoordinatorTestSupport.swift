import ClusterAPI
import ClusterRuntime
import Coordinator
import Foundation
import GRPCCore
import Logging

/// A coordinator psd alone on loopback port 0 over `dataDir` (to restart over a store a test prepared).
func startCoordinator(dataDir: String, jobRetention: Int = 1000) async throws -> (ParameterServerDaemon, CoordinatorClient) {
    var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    logger.logLevel = .critical
    var config = ParameterServerConfig(
        listen: HostPort(host: "127.0.0.1", port: 0), dataDir: dataDir, coordinator: nil, name: "ps-0", heartbeatInterval: .milliseconds(200))
    config.limits.jobRetention = jobRetention
    let daemon = try ParameterServerDaemon(config: config, logger: logger)
    let address = try await daemon.start()
    return (daemon, try CoordinatorClient(address: address))
}

/// A small synthetic job (no data files).
func syntheticSpecYAML(name: String = "lin", maxSteps: Int = 100) -> String {
    """
    name: \(name)
    model: {type: linear}
    data: {format: synthetic, samples: 64, weights: [2.0], bias: 1.0, batch_size: 8}
    optimizer: {type: sgd, learning_rate: 0.1}
    training: {mode: async, max_steps: \(maxSteps)}
    """
}

/// The gRPC status a call failed with (nil when it succeeded).
func statusOf(_ body: () async throws -> Void) async -> (code: RuntimeFailure.Code, message: String)? {
    do {
        try await body()
        return nil
    } catch let failure as RuntimeFailure {
        return (failure.code, failure.message)
    } catch {
        return (.internalError, "\(error)")
    }
}

/// A fresh temporary folder.
func temporaryFolder(_ prefix: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Polls `condition` until it holds or `timeout` passes.
func pollUntil(_ timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return false
}
