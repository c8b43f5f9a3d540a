import ClusterAPI
import ClusterRuntime
import Foundation
import GRPCCore
import Logging
import ParameterStore
import TensorWire
import Testing

/// A coordinator psd in this process with the given security, holding job 7 with one variable w[4] = 0 (SGD, lr 1, async).
func startSecuredDaemon(
    token: String? = nil, tls: TLSFiles? = nil, metrics: Bool = false
) async throws -> (daemon: ParameterServerDaemon, address: HostPort) {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    let dir = try temporaryDirectory("secured")
    let daemon = try ParameterServerDaemon(
        config: ParameterServerConfig(
            listen: HostPort(host: "127.0.0.1", port: 0), dataDir: dir.path, coordinator: nil, name: "ps-secure-\(UUID().uuidString.prefix(6))",
            token: token, tls: tls, metricsListen: metrics ? HostPort(host: "127.0.0.1", port: 0) : nil),
        logger: logger)
    let address = try await daemon.start()
    try daemon.shard.createJob(
        jobID: 7,
        partitions: [PartitionSpec.whole(variableID: 0, variable: VariableSpec(name: "w", shape: Shape([4]), initializer: .zeros), seed: 1)],
        optimizer: .sgd(1), consistency: .async)
    return (daemon, address)
}

/// A push frame of gradient 0.5 for every element of job 7's w.
func pushFrame(version: UInt64 = 0) -> [UInt8] {
    let values = [Float](repeating: 0.5, count: 4)
    return values.withUnsafeBufferPointer { floats in
        WireFormat.encode(WireFrame(
            header: FrameHeader(kind: .pushRequest, requestID: 1, jobID: 7, senderID: 0),
            entries: [.dense(variableID: 0, partition: 0, version: version, shape: Shape([4]), floats: floats)]))
    }
}

/// The shard's current w of job 7.
func currentW(_ daemon: ParameterServerDaemon) throws -> [Float] {
    try daemon.shard.read(jobID: 7, keys: [PartitionKey(variableID: 0, partition: 0)]) { _, buffers in Array(buffers[0]) }
}

/// Bearer-token auth over real gRPC: without the token nothing is applied and nothing is answered.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct AuthTests {
    @Test func pushWithoutTheTokenIsUnauthenticatedAndChangesNothing() async throws {
        let (daemon, address) = try await startSecuredDaemon(token: "s3cret")
        defer { Task { await daemon.stop() } }

        for security in [RPCSecurity.none, RPCSecurity(token: "wrong")] {
            let channel = try GRPCDataPlaneChannel(address: address, security: security)
            await #expect {
                _ = try await channel.exchange(.push, request: pushFrame(), timeout: .seconds(5))
            } throws: { error in
                (error as? RuntimeFailure)?.code == .unauthenticated
            }
            channel.close()
        }
        #expect(try currentW(daemon) == [0, 0, 0, 0])

        let authorised = try GRPCDataPlaneChannel(address: address, security: RPCSecurity(token: "s3cret"))
        _ = try await authorised.exchange(.push, request: pushFrame(), timeout: .seconds(5))
        authorised.close()
        #expect(try currentW(daemon) == [-0.5, -0.5, -0.5, -0.5])
    }

    @Test func controlPlaneNeedsTheTokenToo() async throws {
        let (daemon, address) = try await startSecuredDaemon(token: "s3cret")
        defer { Task { await daemon.stop() } }
        let anonymous = try CoordinatorClient(address: address, timeout: .seconds(5))
        await #expect {
            _ = try await anonymous.submit(yaml: "name: x")
        } throws: { error in
            guard let failure = error as? RuntimeFailure else { return false }
            return failure.code == .unauthenticated && failure.message.contains("token")
        }
        anonymous.close()
        let member = try CoordinatorClient(address: address, timeout: .seconds(5), security: RPCSecurity(token: "s3cret"))
        #expect(try await member.jobs().isEmpty)
        member.close()
    }

    @Test func interceptorComparesWholeTokens() {
        #expect(BearerTokenServerInterceptor(token: "abc") is any ServerInterceptor)
        #expect(RPCSecurity(token: "abc") != RPCSecurity(token: "abd"))
    }
}
