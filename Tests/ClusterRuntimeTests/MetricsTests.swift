import ClusterRuntime
import Foundation
import TensorWire
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Prometheus text at http://ADDR/metrics, counting what the data plane did.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct MetricsTests {
    func scrape(_ address: HostPort, path: String = "/metrics") async throws -> (Int, String) {
        let url = try #require(URL(string: "http://\(address)\(path)"))
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The value of one sample line `name{labels} value`.
    func value(_ text: String, _ prefix: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func pushesAndPullsShowUpInTheScrape() async throws {
        let (daemon, address) = try await startSecuredDaemon(metrics: true)
        defer { Task { await daemon.stop() } }
        var metricsAddress: HostPort?
        for _ in 0..<100 where metricsAddress == nil {
            metricsAddress = daemon.metricsAddress
            try await Task.sleep(for: .milliseconds(20))
        }
        let endpoint = try #require(metricsAddress)
        let shard = daemon.config.name!
        let channel = try GRPCDataPlaneChannel(address: address)
        for _ in 0..<3 { _ = try await channel.exchange(.push, request: pushFrame(), timeout: .seconds(5)) }
        let pull = WireFormat.encode(WireFrame(
            header: FrameHeader(kind: .pullRequest, requestID: 2, jobID: 7, senderID: 0),
            entries: [.empty(variableID: 0, partition: 0, version: 0)]))
        _ = try await channel.exchange(.pull, request: pull, timeout: .seconds(5))
        channel.close()

        let (status, text) = try await scrape(endpoint)
        #expect(status == 200)
        #expect(value(text, "tessera_push_total{shard=\"\(shard)\"}") == 3, "\(text)")
        #expect(value(text, "tessera_push_bytes_total{shard=\"\(shard)\"}") == Double(3 * pushFrame().count))
        #expect(value(text, "tessera_pull_total{shard=\"\(shard)\"}") == 1)
        #expect((value(text, "tessera_pull_bytes_total{shard=\"\(shard)\"}") ?? 0) > 0)
        #expect(value(text, "tessera_apply_seconds_count{shard=\"\(shard)\"}") == 3)
        #expect(value(text, "tessera_queue_depth{shard=\"\(shard)\"}") == 0)
        #expect(text.contains("# TYPE tessera_apply_seconds histogram"))
        // The coordinator's gauges are refreshed at scrape time.
        #expect(text.contains("tessera_heartbeat_age_seconds{node=\"\(shard)\"}"), "\(text)")
        #expect(try await scrape(endpoint, path: "/nothing").0 == 404)
    }
}
