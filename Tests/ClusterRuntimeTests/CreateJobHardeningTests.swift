import ClusterAPI
@testable import ClusterRuntime
import Foundation
import GRPCCore
import Logging
import ParameterStore
import Testing

/// CreateJob requests with hostile numbers (the issue's `rowOffset + rowCount`, huge shapes, non-finite initializer
/// arguments, partitions beyond the memory limit) get INVALID_ARGUMENT or RESOURCE_EXHAUSTED with a sentence, create
/// nothing, and the psd creates a normal job afterwards.
@Suite struct CreateJobHardeningTests {
    func partition(rowOffset: Int64 = 0, rowCount: Int64 = 4, shape: [Int64] = [4, 2], args: [Float] = []) -> Tessera_V1_PartitionSpecMsg {
        .with {
            $0.variableID = 0
            $0.partition = 0
            $0.name = "w"
            $0.shape = shape
            $0.dtype = "f32"
            $0.kind = "dense"
            $0.initializer = args.isEmpty ? "zeros" : "uniform"
            $0.initializerArgs = args
            $0.rowOffset = rowOffset
            $0.rowCount = rowCount
            $0.seed = 1
        }
    }

    func create(_ service: ParameterServerService, job: UInt64, _ partitions: [Tessera_V1_PartitionSpecMsg]) async throws -> Int64 {
        try await withServerContextRPCCancellationHandle { handle in
            let context = ServerContext(
                descriptor: Tessera_V1_ParameterServer.Method.CreateJob.descriptor, remotePeer: "test", localPeer: "test", cancellation: handle)
            let request = Tessera_V1_CreateJobRequest.with {
                $0.jobNumber = job
                $0.jobID = "job-\(job)"
                $0.partitions = partitions
                $0.optimizer = .with { $0.type = "adam"; $0.learningRate = 0.01 }
                $0.training = .with { $0.mode = "sync"; $0.replicasToAggregate = 2 }
            }
            return try await service.createJob(request: request, context: context).bytes
        }
    }

    @Test func hostileNumbersAreRefusedAndNothingIsCreated() async throws {
        let logger = Logger(label: "create") { _ in SwiftLogNoOpLogHandler() }
        let shard = ParameterShard(logger: logger, memoryLimitBytes: 1000)
        let service = ParameterServerService(shard: shard, logger: logger)
        let invalid: [Tessera_V1_PartitionSpecMsg] = [
            partition(rowOffset: Int64.max, rowCount: 2),
            partition(rowOffset: 2, rowCount: Int64.max),
            partition(rowOffset: Int64.max, rowCount: Int64.max),
            partition(rowOffset: -1),
            partition(rowCount: 4, shape: [Int64.max, Int64.max]),
            partition(rowCount: 4, shape: [4, -2]),
            partition(args: [.nan, 1]),
            partition(args: [0, .infinity]),
        ]
        for p in invalid {
            do {
                _ = try await create(service, job: 1, [p])
                Issue.record("accepted \(p)")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument, "\(error)")
            }
        }
        // Adam, sync: 4 buffers of 4 × 256 floats — 16384 bytes, with 1000 left.
        do {
            _ = try await create(service, job: 1, [partition(rowCount: 4, shape: [4, 256])])
            Issue.record("a job beyond the memory limit was created")
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted && error.message.contains("16384") && error.message.contains("1000"), "\(error)")
        }
        #expect(shard.jobIDs().isEmpty && shard.bytesHeld == 0)
        #expect(try await create(service, job: 1, [partition()]) == 4 * 8 * 4)
        #expect(shard.bytesHeld == 128)
    }
}
