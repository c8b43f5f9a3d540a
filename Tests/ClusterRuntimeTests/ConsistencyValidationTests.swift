import ClusterAPI
import ClusterRuntime
import Foundation
import GRPCCore
import ParameterStore
import TensorWire
import Testing

/// Data-plane validation over real gRPC: every bad push is answered with the right status and a sentence,
/// nothing is applied, and the shard keeps serving good requests.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ConsistencyValidationTests {
    @Test func badPushesGetStatusesAndTheShardKeepsServing() async throws {
        let cluster = try await InProcessCluster.start(shards: 1, workers: 0, dataRoot: testDataRoot())
        // A sync job nobody trains (no workers): the test is its only client.
        let yaml = """
            name: validation
            model: {type: linear}
            data: {format: synthetic, weights: [2], bias: 10}
            optimizer: {type: sgd, learning_rate: 0.1}
            training: {mode: sync, replicas_to_aggregate: 1, max_steps: 1000000}
            cluster: {workers: 1, ps_shards: 1}
            """
        let submitted = try await cluster.client.submit(yaml: yaml)
        let jobNumber = try #require(UInt64(submitted.id.split(separator: "-").last ?? ""))
        let shard = cluster.shards[0].shard
        // Create the job's variables directly on the shard, as the coordinator would.
        let spec = PartitionSpec.whole(variableID: 0, variable: VariableSpec(name: "w", shape: Shape([4, 2])), seed: 1)
        try shard.createJob(jobID: jobNumber, partitions: [spec], optimizer: .sgd(0.5), consistency: .sync(replicas: 1))
        let channel = try GRPCDataPlaneChannel(address: cluster.coordinatorAddress)
        defer { channel.close() }

        func push(job: UInt64 = jobNumber, variable: UInt32 = 0, version: UInt64 = 0, shape: Shape = Shape([4, 2]), _ values: [Float]) -> [UInt8] {
            values.withUnsafeBufferPointer { floats in
                WireFormat.encode(WireFrame(
                    header: FrameHeader(kind: .pushRequest, requestID: 1, jobID: job, senderID: 0),
                    entries: [.dense(variableID: variable, partition: 0, version: version, shape: shape, floats: floats)]))
            }
        }
        func expectFailure(_ request: [UInt8], _ code: RuntimeFailure.Code, mentioning word: String) async {
            await #expect {
                _ = try await channel.exchange(.push, request: request, timeout: .seconds(5))
            } throws: { error in
                guard let f = error as? RuntimeFailure else { return false }
                return f.code == code && f.message.lowercased().contains(word.lowercased())
            }
        }
        let good = [Float](repeating: 1, count: 8)
        await expectFailure(push(job: 4242, good), .notFound, mentioning: "job 4242")
        await expectFailure(push(variable: 9, good), .notFound, mentioning: "partition")
        await expectFailure(push(shape: Shape([3, 2]), [Float](repeating: 1, count: 6)), .invalidArgument, mentioning: "elements")
        await expectFailure(push(version: 7, good), .invalidArgument, mentioning: "version 7")
        var poisoned = good
        poisoned[3] = .infinity
        await expectFailure(push(poisoned), .invalidArgument, mentioning: "NaN or Inf")
        let f64 = [Double](repeating: 1, count: 8).withUnsafeBytes { bytes in
            WireFormat.encode(WireFrame(
                header: FrameHeader(kind: .pushRequest, requestID: 1, jobID: jobNumber, senderID: 0),
                entries: [.dense(variableID: 0, partition: 0, version: 0, dtype: .f64, shape: Shape([4, 2]), bytes: bytes)]))
        }
        await expectFailure(f64, .invalidArgument, mentioning: "f32")
        await expectFailure([0x54, 0x53, 0x52, 0x57, 1, 0], .invalidArgument, mentioning: "TensorWire")

        // Nothing was applied; rejections (and the non-finite one) were counted.
        var stats = try shard.stats(jobID: jobNumber)
        #expect(stats.version == 0)
        #expect(stats.rejected >= 4)
        #expect(stats.nonFiniteRejected == 1)

        // Still serving: a good push applies (N = 1) and a pull returns version 1.
        let answer = try await channel.exchange(.push, request: push(good), timeout: .seconds(5))
        let ack = try answer.withUnsafeBytes { try WireFormat.decodeView($0) }
        #expect(ack.header.status == PushStatus.ok)
        stats = try shard.stats(jobID: jobNumber)
        #expect(stats.version == 1)
        _ = try await cluster.client.cancel(submitted.id)
        await cluster.stop()
    }

    @Test func asyncStalePushIsDroppedCountedAndAnsweredStale() async throws {
        let cluster = try await InProcessCluster.start(shards: 1, workers: 0, dataRoot: testDataRoot())
        let shard = cluster.shards[0].shard
        let spec = PartitionSpec.whole(variableID: 0, variable: VariableSpec(name: "w", shape: Shape([2])), seed: 1)
        try shard.createJob(jobID: 77, partitions: [spec], optimizer: .sgd(1), consistency: .async(maxStaleness: 1))
        let channel = try GRPCDataPlaneChannel(address: cluster.coordinatorAddress)
        defer { channel.close() }
        func push(version: UInt64) async throws -> (status: UInt32, version: UInt64) {
            let request = [Float](repeating: 1, count: 2).withUnsafeBufferPointer { floats in
                WireFormat.encode(WireFrame(
                    header: FrameHeader(kind: .pushRequest, requestID: 1, jobID: 77, senderID: 3),
                    entries: [.dense(variableID: 0, partition: 0, version: version, shape: Shape([2]), floats: floats)]))
            }
            let answer = try await channel.exchange(.push, request: request, timeout: .seconds(5))
            let view = try answer.withUnsafeBytes { try WireFormat.decodeView($0) }
            return (view.header.status, view.entries.first?.header.version ?? 0)
        }
        #expect(try await push(version: 0) == (PushStatus.ok, 1))
        #expect(try await push(version: 0) == (PushStatus.ok, 2))  // 1 version old: within max_staleness 1
        #expect(try await push(version: 0) == (PushStatus.stale, 2))  // 2 old: dropped, the worker must re-pull
        let stats = try shard.stats(jobID: 77)
        #expect(stats.staleDropped == 1 && stats.applied == 2)
        await cluster.stop()
    }

    @Test func loweringEffectiveReplicasOverRPCAppliesWhatWasAccumulated() async throws {
        let cluster = try await InProcessCluster.start(shards: 1, workers: 0, dataRoot: testDataRoot())
        let shard = cluster.shards[0].shard
        let spec = PartitionSpec.whole(variableID: 0, variable: VariableSpec(name: "w", shape: Shape([2])), seed: 1)
        try shard.createJob(jobID: 5, partitions: [spec], optimizer: .sgd(1), consistency: .sync(replicas: 2, backups: 1))
        let one: [Float] = [1, 1]
        _ = try one.withUnsafeBufferPointer { try shard.push(PushRequest(jobID: 5, workerID: 0, version: 0, gradients: [.partition(spec.key, $0)])) }
        #expect(try shard.version(jobID: 5) == 0)
        let client = try ManagedClient(address: cluster.coordinatorAddress)
        defer { client.close() }
        let ps = Tessera_V1_ParameterServer.Client(wrapping: client.client)
        let answer = try await ps.setReplicas(.with {
            $0.jobNumber = 5
            $0.replicas = 1
        })
        #expect(answer.version == 1)
        let status = try await ps.shardStatus(.init())
        #expect(status.jobs.first { $0.jobNumber == 5 }?.effectiveReplicas == 1)
        // Out of range and unknown jobs are errors with sentences.
        await #expect(throws: RPCError.self) { _ = try await ps.setReplicas(.with { $0.jobNumber = 5; $0.replicas = 9 }) }
        await #expect(throws: RPCError.self) { _ = try await ps.setReplicas(.with { $0.jobNumber = 99; $0.replicas = 1 }) }
        await cluster.stop()
    }
}
