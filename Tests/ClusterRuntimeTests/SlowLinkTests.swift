import ClusterRuntime
import Foundation
import LinkProxy
import Logging
import ParameterStore
import Testing
import TensorWire

/// A psd whose data plane is reached through a `LinkProxy`: a slow link slows pushes and pulls but
/// they complete; a stalled or dropped link makes the client fail in time, naming the address it dialled.
@Suite("Slow link", .serialized, .timeLimit(.minutes(2)))
struct SlowLinkTests {
    static let jobID: UInt64 = 21
    static let elements = 4096

    /// A daemon with one async SGD job (one zero-initialised variable), and a proxy per transport in front of it.
    struct Rig {
        let daemon: ParameterServerDaemon
        let proxy: LinkProxy
        let proxyAddress: HostPort

        static func start(_ kind: DataPlaneKind) async throws -> Rig {
            var logger = Logger(label: "slow-link") { _ in SwiftLogNoOpLogHandler() }
            logger.logLevel = .critical
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-slowlink-\(UUID().uuidString)").path
            let config = ParameterServerConfig(listen: HostPort(host: "127.0.0.1", port: 0), dataDir: dir, coordinator: nil, name: "ps-slowlink")
            let daemon = try ParameterServerDaemon(config: config, logger: logger)
            let control = try await daemon.start()
            guard let data = try await daemon.dataAddress() else { throw RuntimeFailure(.unavailable, "native listener did not start") }
            let variable = VariableSpec(name: "w", shape: Shape([elements]), initializer: .zeros)
            try daemon.shard.createJob(
                jobID: jobID, partitions: [PartitionSpec(variableID: 0, partition: 0, variable: variable, rowOffset: 0, rowCount: elements, seed: 1)],
                optimizer: .sgd(1), consistency: .async)
            let upstream = kind == .native ? data : control
            let proxy = LinkProxy(upstreamHost: upstream.host, upstreamPort: upstream.port)
            let port = try await proxy.start()
            return Rig(daemon: daemon, proxy: proxy, proxyAddress: HostPort(host: "127.0.0.1", port: port))
        }

        func client(_ kind: DataPlaneKind, timeout: Duration) throws -> ParameterClient {
            let route = PartitionRoute(variableID: 0, partition: 0, variableIndex: 0, elementOffset: 0, shape: Shape([SlowLinkTests.elements]))
            return try ParameterClient(jobID: SlowLinkTests.jobID, workerID: 1, routes: [(proxyAddress, [route])], timeout: timeout) {
                try DataPlaneChannels.make(kind, address: $0)
            }
        }

        func stop() async {
            proxy.stop()
            await daemon.stop()
        }
    }

    /// One pull then one push of all-ones through `client`.
    static func step(_ client: ParameterClient) async throws -> UInt64 {
        let parameters = UnsafeMutableBufferPointer<Float>.allocate(capacity: elements)
        let gradients = UnsafeMutableBufferPointer<Float>.allocate(capacity: elements)
        defer {
            parameters.deallocate()
            gradients.deallocate()
        }
        gradients.initialize(repeating: 1)
        let versions = try await client.pull(into: VariableBuffers([parameters]))
        let summary = try await client.push(StepGradients(dense: VariableBuffers([gradients])), versions: versions)
        return summary.maxVersion
    }

    @Test("a delayed link slows the steps but every push lands", arguments: [DataPlaneKind.native, .grpc])
    func delayedLinkCompletes(_ kind: DataPlaneKind) async throws {
        let rig = try await Rig.start(kind)
        rig.proxy.faults = LinkFaults(delay: .milliseconds(15))
        let client = try rig.client(kind, timeout: .seconds(20))
        var version: UInt64 = 0
        for _ in 0..<5 { version = try await Self.step(client) }
        client.close()
        #expect(version == 5)
        #expect(try rig.daemon.shard.version(jobID: Self.jobID) == 5)
        let values = try rig.daemon.shard.read(jobID: Self.jobID, keys: [PartitionKey(variableID: 0, partition: 0)]) { _, buffers in Array(buffers[0]) }
        #expect(values.allSatisfy { $0 == -5 })
        #expect(rig.proxy.acceptedConnections >= 1)
        await rig.stop()
    }

    @Test("a stalled link fails the call with DEADLINE_EXCEEDED naming the address, not a hang", arguments: [DataPlaneKind.native, .grpc])
    func stalledLinkTimesOut(_ kind: DataPlaneKind) async throws {
        let rig = try await Rig.start(kind)
        let client = try rig.client(kind, timeout: .seconds(2))
        _ = try await Self.step(client)  // connected and working
        rig.proxy.faults = LinkFaults(stall: true)
        do {
            _ = try await Self.step(client)
            Issue.record("a step over a stalled link succeeded")
        } catch let failure as RuntimeFailure {
            print("slow-link stall \(kind): \(failure.code) \(failure.message)")
            #expect(failure.code == .deadlineExceeded, "\(failure)")
            #expect(failure.message.contains("\(rig.proxyAddress.port)"), "the failure should name \(rig.proxyAddress): \(failure.message)")
        }
        client.close()
        await rig.stop()
    }

    @Test("a dropped link fails the call with UNAVAILABLE naming the address", arguments: [DataPlaneKind.native, .grpc])
    func droppedLinkIsUnavailable(_ kind: DataPlaneKind) async throws {
        let rig = try await Rig.start(kind)
        let client = try rig.client(kind, timeout: .seconds(5))
        _ = try await Self.step(client)
        rig.proxy.faults = LinkFaults(drop: true)
        do {
            _ = try await Self.step(client)
            Issue.record("a step over a dropped link succeeded")
        } catch let failure as RuntimeFailure {
            print("slow-link drop \(kind): \(failure.code) \(failure.message)")
            #expect(failure.code == .unavailable || failure.code == .deadlineExceeded, "\(failure)")
            #expect(failure.message.contains("\(rig.proxyAddress.port)"), "the failure should name \(rig.proxyAddress): \(failure.message)")
        }
        client.close()
        await rig.stop()
    }
}
