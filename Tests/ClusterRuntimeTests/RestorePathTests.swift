import ClusterAPI
@testable import ClusterRuntime
import Foundation
import GRPCCore
import Logging
import ParameterStore
import Testing
import TensorWire

/// RestoreShard reads checkpoints only from the psd's own folder for the job, and init_from models only from its
/// import dir or data dir — with symbolic links and `..` resolved, so neither leads out — at most the memory limit's
/// bytes, and never echoes a file's contents; checkpoint files are written for their owner alone.
@Suite struct RestorePathTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-paths-\(UUID().uuidString)").path
    var dataDir: String { root + "/data" }
    var importDir: String { root + "/import" }
    var outside: String { root + "/outside" }

    init() throws {
        for dir in [root + "/data", root + "/import", root + "/outside"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
    }

    /// A service over a shard holding job 1 with w [4] = 0.
    func service(memory: Int? = nil) throws -> (ParameterServerService, ParameterShard) {
        let logger = Logger(label: "paths") { _ in SwiftLogNoOpLogHandler() }
        let shard = ParameterShard(logger: logger, memoryLimitBytes: memory)
        try shard.createJob(
            jobID: 1, partitions: [.whole(variableID: 0, variable: VariableSpec(name: "w", shape: Shape([4])), seed: 1)], optimizer: .sgd(1),
            consistency: .async)
        return (ParameterServerService(shard: shard, logger: logger, dataDir: dataDir, importDir: importDir), shard)
    }

    func model(at path: String, _ values: [Float] = [1, 2, 3, 4]) throws {
        try SafetensorsWriter.write([.floats("w", shape: Shape([values.count]), values: values)], to: path)
    }

    func restore(_ service: ParameterServerService, _ path: String, valuesOnly: Bool = true, crc: UInt32 = 0) async throws {
        try await withServerContextRPCCancellationHandle { handle in
            let context = ServerContext(
                descriptor: Tessera_V1_ParameterServer.Method.RestoreShard.descriptor, remotePeer: "test", localPeer: "test", cancellation: handle)
            _ = try await service.restoreShard(request: .with { $0.jobNumber = 1; $0.path = path; $0.valuesOnly = valuesOnly; $0.crc32C = crc }, context: context)
        }
    }

    func checkpoint(_ service: ParameterServerService) async throws -> Tessera_V1_CheckpointShardResponse {
        try await withServerContextRPCCancellationHandle { handle in
            let context = ServerContext(
                descriptor: Tessera_V1_ParameterServer.Method.CheckpointShard.descriptor, remotePeer: "test", localPeer: "test", cancellation: handle)
            return try await service.checkpointShard(request: .with { $0.jobNumber = 1 }, context: context)
        }
    }

    /// The status `body` fails with (nil when it succeeds).
    func refusal(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? RPCError
        }
    }

    func values(_ shard: ParameterShard) throws -> [Float] {
        try shard.read(jobID: 1, keys: [PartitionKey(variableID: 0, partition: 0)]) { _, b in Array(b[0]) }
    }

    @Test func initFromReadsTheImportDirThenTheDataDir() async throws {
        let (service, shard) = try service()
        try model(at: importDir + "/model.safetensors")
        try await restore(service, "model.safetensors")
        #expect(try values(shard) == [1, 2, 3, 4])
        try model(at: dataDir + "/other.safetensors", [5, 6, 7, 8])
        try await restore(service, "other.safetensors")
        #expect(try values(shard) == [5, 6, 7, 8])
        try await restore(service, importDir + "/model.safetensors")
        #expect(try values(shard) == [1, 2, 3, 4])
        let missing = await refusal { try await restore(service, "nothing.safetensors") }
        #expect(missing?.code == .notFound)
    }

    @Test func initFromOutsideTheDirsIsRefused() async throws {
        let (service, shard) = try service()
        try model(at: outside + "/model.safetensors", [9, 9, 9, 9])
        try FileManager.default.createSymbolicLink(atPath: importDir + "/link.safetensors", withDestinationPath: outside + "/model.safetensors")
        try FileManager.default.createSymbolicLink(atPath: importDir + "/sub", withDestinationPath: outside)
        for path in [
            outside + "/model.safetensors", "../outside/model.safetensors", importDir + "/../outside/model.safetensors",
            "link.safetensors", "sub/model.safetensors", "/etc/passwd", "/nonexistent/model.safetensors",
        ] {
            let refused = await refusal { try await restore(service, path) }
            #expect(refused?.code == .invalidArgument, "\(path): \(String(describing: refused))")
            #expect(refused?.message.contains(path) == true && refused?.message.contains("outside") == true, "\(String(describing: refused))")
            #expect(refused?.message.contains("root:") != true)
        }
        #expect(try values(shard) == [0, 0, 0, 0])
    }

    @Test func aFileIsCheckedBeforeItIsReadAndItsBytesNeverEchoed() async throws {
        let (service, shard) = try service(memory: 200)
        try model(at: importDir + "/big.safetensors", [Float](repeating: 1, count: 100))
        let big = await refusal { try await restore(service, "big.safetensors") }
        #expect(big?.code == .resourceExhausted && big?.message.contains("200") == true, "\(String(describing: big))")
        try Data("SECRET-LINE-1234567890 user:password\n".utf8).write(to: URL(fileURLWithPath: importDir + "/notes.safetensors"))
        let text = await refusal { try await restore(service, "notes.safetensors") }
        #expect(text?.code == .invalidArgument)
        #expect(text?.message.contains("SECRET") == false && text?.message.contains("password") == false, "\(String(describing: text))")
        #expect(try values(shard) == [0, 0, 0, 0])
    }

    @Test func checkpointsAreRestoredOnlyFromTheJobsFolderAndWrittenPrivately() async throws {
        let (service, shard) = try service()
        try model(at: importDir + "/model.safetensors")
        try await restore(service, "model.safetensors")
        let written = try await checkpoint(service)
        let attributes = try FileManager.default.attributesOfItem(atPath: written.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = (written.path as NSString).deletingLastPathComponent
        #expect((try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int) == 0o700)

        try load(shard, [0, 0, 0, 0])
        try await restore(service, written.path, valuesOnly: false, crc: written.crc32C)
        #expect(try values(shard) == [1, 2, 3, 4])

        let name = (written.path as NSString).lastPathComponent
        try FileManager.default.copyItem(atPath: written.path, toPath: outside + "/" + name)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.safetensors", withDestinationPath: outside + "/" + name)
        let otherJob = dataDir + "/checkpoints/job-2"
        try FileManager.default.createDirectory(atPath: otherJob, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: written.path, toPath: otherJob + "/" + name)
        try load(shard, [0, 0, 0, 0])
        for path in [outside + "/" + name, folder + "/../../../outside/" + name, folder + "/link.safetensors", otherJob + "/" + name] {
            let refused = await refusal { try await restore(service, path, valuesOnly: false) }
            #expect(refused?.code == .invalidArgument, "\(path): \(String(describing: refused))")
        }
        #expect(try values(shard) == [0, 0, 0, 0])
    }

    func load(_ shard: ParameterShard, _ v: [Float]) throws {
        try v.withUnsafeBufferPointer { try shard.load(jobID: 1, key: PartitionKey(variableID: 0, partition: 0), values: $0, version: 0) }
    }
}
