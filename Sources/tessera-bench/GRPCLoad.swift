import ClusterAPI
import ClusterRuntime
import Foundation

/// The serving benchmark's gRPC load generator (wrk's counterpart for `tessera.v1.Prediction/Predict`): `clients`
/// concurrent clients, each on its own connection, send the same request back to back for a fixed time; requests/s
/// and the p50/p99 latency over every answered call.
enum GRPCLoad {
    /// Waits until the server at `address` answers `ModelStatus` for `model`.
    static func waitForServer(_ address: HostPort, model: String, seconds: Double = 20) async throws {
        let client = try PredictionClient(address: address, timeout: .seconds(2))
        defer { client.close() }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await client.status(model: model)) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchFailure("no gRPC Predict answered on \(address) within \(Int(seconds)) s")
    }

    /// One run: `clients` connections sending `request` for `seconds`; throws when any call fails (as a non-2xx
    /// answer fails a wrk run).
    static func run(_ address: HostPort, request: Tessera_V1_PredictRequest, clients: Int, seconds: Int) async throws -> ServeCommand.Run {
        let connections = try (0..<max(clients, 1)).map { _ in try PredictionClient(address: address, timeout: .seconds(30)) }
        defer { for c in connections { c.close() } }
        // One untimed call each: the connection is set up before the clock starts (wrk connects first too).
        for c in connections { _ = try await c.predict(request) }
        let start = ContinuousClock.now, cpuBefore = BenchOutput.processCPUSeconds()
        let end = start + .seconds(seconds)
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for c in connections {
                group.addTask {
                    var samples: [Double] = []
                    samples.reserveCapacity(1 << 16)
                    while ContinuousClock.now < end {
                        let sent = ContinuousClock.now
                        let answer = try await c.predict(request)
                        samples.append(BenchOutput.seconds(ContinuousClock.now - sent) * 1000)
                        guard answer.predictions.count == request.instances.count else {
                            throw BenchFailure("gRPC Predict answered \(answer.predictions.count) rows for \(request.instances.count) instances")
                        }
                    }
                    return samples
                }
            }
            var all: [Double] = []
            for try await samples in group { all.append(contentsOf: samples) }
            return all.sorted()
        }
        let elapsed = BenchOutput.seconds(ContinuousClock.now - start), cpu = BenchOutput.processCPUSeconds() - cpuBefore
        guard !latencies.isEmpty, elapsed > 0 else { throw BenchFailure("no gRPC Predict call completed on \(address)") }
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.down)))] }
        return ServeCommand.Run(
            rps: Double(latencies.count) / elapsed, p50: percentile(0.50), p99: percentile(0.99), clientCPUms: cpu * 1000 / Double(latencies.count))
    }

    /// `{"model": model, "instances": rows}` as a gRPC request.
    static func request(model: String, rows: [[UInt8]]) -> Tessera_V1_PredictRequest {
        .with {
            $0.model = model
            $0.instances = rows.map { row in .with { $0.row = .with { $0.values = row.map(Double.init) } } }
        }
    }
}
