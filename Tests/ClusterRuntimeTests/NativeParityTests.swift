import ClusterRuntime
import Foundation
import TensorWire
import Testing

/// The native data plane matches the gRPC one in security and metrics: TLS (mutual with the
/// cluster CA) from the same files, and the same `ShardMetrics` recorded for the same requests.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct NativeParityTests {
    /// A pull frame for job 7's w at version 0.
    func pullFrame() -> [UInt8] {
        WireFormat.encode(WireFrame(
            header: FrameHeader(kind: .pullRequest, requestID: 2, jobID: 7, senderID: 0),
            entries: [.empty(variableID: 0, partition: 0, version: 0)]))
    }

    @Test func nativeDataPlaneRunsOverMutualTLSAndRefusesPlaintextAndForeignCertificates() async throws {
        let dir = try TLSTests().makeCertificates()
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let serverTLS = TLSFiles(certificate: file("server.pem"), key: file("server.key"), ca: file("ca.pem"))
        let (daemon, _) = try await startSecuredDaemon(token: "t0k", tls: serverTLS)
        defer { Task { await daemon.stop() } }
        let data = try #require(try await daemon.dataAddress())

        let good = NativeDataPlaneChannel(
            address: data, token: "t0k", tls: TLSFiles(certificate: file("client.pem"), key: file("client.key"), ca: file("ca.pem")))
        _ = try await good.exchange(.push, request: pushFrame(), timeout: .seconds(10))
        let pulled = try await good.exchange(.pull, request: pullFrame(), timeout: .seconds(10))
        let view = try pulled.withUnsafeBytes { raw in try WireFormat.decodeView(raw) }
        let values = try pulled.withUnsafeBytes { raw in Array(try #require(view.entries.first).payload(in: raw).bindMemory(to: Float.self)) }
        #expect(values == [-0.5, -0.5, -0.5, -0.5])
        good.close()

        let plaintext = NativeDataPlaneChannel(address: data, token: "t0k")
        await #expect(throws: RuntimeFailure.self) { _ = try await plaintext.exchange(.push, request: pushFrame(), timeout: .seconds(5)) }
        plaintext.close()

        let intruder = NativeDataPlaneChannel(
            address: data, token: "t0k", tls: TLSFiles(certificate: file("intruder.pem"), key: file("intruder.key"), ca: file("ca.pem")))
        await #expect(throws: RuntimeFailure.self) { _ = try await intruder.exchange(.push, request: pushFrame(), timeout: .seconds(5)) }
        intruder.close()

        // Only the one authorised push was applied.
        #expect(try currentW(daemon) == [-0.5, -0.5, -0.5, -0.5])
    }

    @Test func nativeRequestsRecordTheSameMetricsAsGRPC() async throws {
        var samples: [DataPlaneKind: [String: Double]] = [:]
        for kind in DataPlaneKind.allCases {
            let (daemon, control) = try await startSecuredDaemon()
            let address = kind == .native ? try #require(try await daemon.dataAddress()) : control
            let channel = try DataPlaneChannels.make(kind, address: address)
            for _ in 0..<3 { _ = try await channel.exchange(.push, request: pushFrame(), timeout: .seconds(5)) }
            _ = try await channel.exchange(.pull, request: pullFrame(), timeout: .seconds(5))
            let unknownJob = WireFormat.encode(WireFrame(
                header: FrameHeader(kind: .pullRequest, requestID: 3, jobID: 99, senderID: 0),
                entries: [.empty(variableID: 0, partition: 0, version: 0)]))
            await #expect(throws: RuntimeFailure.self) { _ = try await channel.exchange(.pull, request: unknownJob, timeout: .seconds(5)) }
            channel.close()
            samples[kind] = shardSamples(daemon.config.name!)
            await daemon.stop()
        }
        let native = try #require(samples[.native])
        #expect(native["tessera_push_total"] == 3)
        #expect(native["tessera_push_bytes_total"] == Double(3 * pushFrame().count))
        #expect(native["tessera_pull_total"] == 1)
        #expect((native["tessera_pull_bytes_total"] ?? 0) > 0)
        #expect(native["tessera_apply_seconds_count"] == 3)
        #expect(native["tessera_queue_depth"] == 0)
        #expect(native["tessera_data_plane_errors_total{method=\"pull\"}"] == 1)
        #expect(native == samples[.grpc], "native \(native) vs gRPC \(samples[.grpc] ?? [:])")
    }

    /// The data-plane samples labelled with `shard` (sum and buckets of the apply histogram left out: timings differ).
    func shardSamples(_ shard: String) -> [String: Double] {
        var bytes: [UInt8] = []
        TesseraMetrics.registry.emit(into: &bytes)
        var samples: [String: Double] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.contains("shard=\"\(shard)\"") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { continue }
            let name = String(series[..<brace])
            guard name.hasPrefix("tessera_"), !name.hasSuffix("_sum"), !name.hasSuffix("_bucket") else { continue }
            let otherLabels = series[series.index(after: brace)...].dropLast().split(separator: ",").filter { !$0.hasPrefix("shard=") }
            samples[otherLabels.isEmpty ? name : "\(name){\(otherLabels.joined(separator: ","))}"] = value
        }
        return samples
    }
}
