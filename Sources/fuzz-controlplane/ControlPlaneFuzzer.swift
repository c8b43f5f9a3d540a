import ClusterAPI
import ClusterRuntime
import Foundation
import FuzzSupport
import GRPCCore
import GRPCInProcessTransport
import Logging
import ParameterStore
import SwiftProtobuf

/// Every control-plane request a psd serves — the coordinator's, the shard's control service's, health and the
/// gRPC data plane — as arbitrary bytes through a real `GRPCServer` (the token interceptor, the generated protobuf
/// deserialisers, the services) over the in-process transport.
///
/// Input: byte 0 picks the method (`methods`), byte 1 the credentials (bit 0 clear: the right token; bit 1: a
/// prefix of it), the rest is the request message's bytes. Any answer is fine; a trap or a hang is a bug.
enum ControlPlaneFuzzer {
    static let token = "fuzz-token-0123456789abcdef"

    /// The methods inputs choose from, in a fixed order (seeds depend on it).
    static let methods: [MethodDescriptor] =
        Tessera_V1_Coordinator.Method.descriptors + Tessera_V1_ParameterServer.Method.descriptors
        + [Grpc_Health_V1_Health.Method.Check.descriptor]
        + ["Pull", "Push"].map { MethodDescriptor(fullyQualifiedService: "tessera.v1.DataPlane", method: $0) }

    static let harness = Harness()

    /// Runs one input.
    static func fuzz(_ data: [UInt8]) {
        guard data.count >= 2 else { return }
        let method = methods[Int(data[0]) % methods.count]
        var metadata: Metadata = [:]
        if data[1] & 1 == 0 {
            metadata.addString("Bearer " + token, forKey: "authorization")
        } else if data[1] & 2 != 0 {
            metadata.addString("Bearer " + token.prefix(Int(data[1] >> 2) % token.count), forKey: "authorization")
        }
        harness.call(method, body: Array(data[2...]), metadata: metadata)
    }

    /// Writes one valid request per method (and a few variants); returns how many.
    static func writeSeeds(to directory: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var count = 0
        for (name, message) in ControlPlaneSeeds.requests {
            guard let index = methods.firstIndex(where: { $0.method == name.split(separator: ".").first.map(String.init) }) else {
                throw FuzzSeedError("no method \(name)")
            }
            let bytes: [UInt8] = try [UInt8(index), 0] + message.serializedBytes()
            guard FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(bytes)) else {
                throw FuzzSeedError("cannot write \(directory)/\(name)")
            }
            count += 1
        }
        return count
    }
}

/// A failure writing the seed corpus.
struct FuzzSeedError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One coordinator psd's services behind a `GRPCServer` on the in-process transport, and a client for it.
final class Harness: Sendable {
    private let client: GRPCClient<InProcessTransport.Client>
    /// `FUZZ_VERBOSE=1` prints each call's outcome (to check that seeds reach the services).
    static let verbose = ProcessInfo.processInfo.environment["FUZZ_VERBOSE"] == "1"

    init() {
        var logger = Logger(label: "fuzz-controlplane")
        logger.logLevel = .critical
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-controlplane-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let shard = ParameterShard(logger: logger)
        let coordinator: CoordinatorService
        do {
            coordinator = try CoordinatorService(
                name: "fuzz", dataDir: directory, heartbeatInterval: .seconds(1), heartbeatTimeout: .seconds(10), logger: logger)
        } catch {
            fatalError("fuzz-controlplane: cannot open a coordinator in \(directory): \(error)")
        }
        let services: [any RegistrableRPCService] = [
            coordinator,
            ParameterServerService(shard: shard, logger: logger, dataDir: directory),
            HealthService(services: HealthService.parameterServerServices),
            MeteredDataPlaneService(handler: DataPlaneHandler(shard: shard, logger: logger), metrics: ShardMetrics(shard: "fuzz")),
        ]
        let transport = InProcessTransport()
        let server = GRPCServer(
            transport: transport.server, services: services, interceptors: [BearerTokenServerInterceptor(token: ControlPlaneFuzzer.token)])
        let client = GRPCClient(transport: transport.client)
        self.client = client
        Task.detached { try await server.serve() }
        Task.detached { try await client.runConnections() }
    }

    /// Sends `body` as the request of `method` and waits for the answer (at most 3 s).
    func call(_ method: MethodDescriptor, body: [UInt8], metadata: Metadata) {
        let done = DispatchSemaphore(value: 0)
        let client = self.client
        Task {
            var options = CallOptions.defaults
            options.timeout = .seconds(3)
            let outcome: String
            do {
                let bytes = try await client.unary(
                    request: ClientRequest(message: body, metadata: metadata), descriptor: method,
                    serializer: RawBytesSerializer(), deserializer: RawBytesDeserializer(), options: options
                ) { response in try response.message.count }
                outcome = "ok, \(bytes) bytes"
            } catch {
                outcome = "\(error)"
            }
            if Harness.verbose { FileHandle.standardError.write(Data("\(method): \(outcome)\n".utf8)) }
            done.signal()
        }
        done.wait()
    }
}

/// Sends request bytes as they are (the fuzz input is the serialized message).
struct RawBytesSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}

/// Receives answer bytes as they are.
struct RawBytesDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
