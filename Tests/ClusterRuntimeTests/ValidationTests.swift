import ClusterAPI
import ClusterRuntime
import Foundation
import TensorWire
import Testing

/// Bad input over real gRPC: each gets the right status and a sentence, and the daemons keep serving.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ValidationTests {
    @Test func invalidSpecsAreRejectedWithTheFieldPath() async throws {
        let cluster = try await InProcessCluster.start(shards: 1, workers: 0, dataRoot: testDataRoot())
        let bad = """
            name: broken
            model: {type: logistic}
            data: {format: csv, train: breast_cancer/breast_cancer.csv, label: target}
            optimizer: {type: sgd, learning_rate: fast}
            """
        await #expect {
            _ = try await cluster.client.submit(yaml: bad)
        } throws: { error in
            guard let failure = error as? RuntimeFailure else { return false }
            return failure.code == .invalidArgument && failure.message.contains("optimizer.learning_rate")
        }
        let unknownKey = """
            name: broken
            model: {type: logistic}
            data: {format: csv, train: breast_cancer/breast_cancer.csv, label: target}
            training: {mdoe: sync}
            """
        await #expect {
            _ = try await cluster.client.submit(yaml: unknownKey)
        } throws: { error in
            (error as? RuntimeFailure)?.message.contains("training.mdoe") ?? false
        }
        await #expect {
            _ = try await cluster.client.job("job-999")
        } throws: { error in
            (error as? RuntimeFailure)?.code == .notFound
        }
        await #expect {
            _ = try await cluster.client.job("not-a-job")
        } throws: { error in
            (error as? RuntimeFailure)?.code == .invalidArgument
        }
        // Still serving.
        #expect(try await cluster.client.jobs().isEmpty)
        await cluster.stop()
    }

    @Test func dataPlaneRejectsBadFramesAndNonFiniteGradients() async throws {
        let cluster = try await InProcessCluster.start(shards: 1, workers: 1, dataRoot: testDataRoot())
        let yaml = try String(contentsOf: packageRoot().appendingPathComponent("examples/linear-hello.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "max_steps: 300", with: "max_steps: 100000")
            .replacingOccurrences(of: "workers: 2", with: "workers: 1")
            .replacingOccurrences(of: "ps_shards: 2", with: "ps_shards: 1")
        let submitted = try await cluster.client.submit(yaml: yaml)
        var job = try await cluster.client.job(submitted.id)
        let deadline = ContinuousClock.now + .seconds(30)
        // The placement is planned before the shards hold the partitions; RUNNING means they do.
        while (job.placement.isEmpty || job.state != .running) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            job = try await cluster.client.job(submitted.id)
        }
        let placement = try #require(job.placement.first)
        let channel = try DataPlaneChannels.make(
            DataPlaneKind(rawValue: job.spec.cluster.transport) ?? .grpc, address: HostPort(parsing: placement.shardAddress))
        defer { channel.close() }

        // Garbage bytes: INVALID_ARGUMENT naming the frame problem.
        await #expect {
            _ = try await channel.exchange(.push, request: [1, 2, 3, 4, 5], timeout: .seconds(5))
        } throws: { error in
            guard let f = error as? RuntimeFailure else { return false }
            return f.code == .invalidArgument && f.message.contains("TensorWire")
        }

        // A NaN gradient: rejected, nothing applied.
        let count = Int(placement.rowCount) * max(1, placement.shape.dropFirst().reduce(1) { $0 * Int($1) })
        var values = [Float](repeating: 0.5, count: count)
        values[0] = .nan
        let shape = Shape(placement.shape.map { Int($0) })
        let frame = values.withUnsafeBufferPointer { floats in
            WireFormat.encode(WireFrame(
                header: FrameHeader(kind: .pushRequest, requestID: 1, jobID: UInt64(submitted.id.split(separator: "-").last!)!, senderID: 0),
                entries: [.dense(variableID: placement.variableID, partition: placement.partition, version: 0, shape: shape, floats: floats)]))
        }
        await #expect {
            _ = try await channel.exchange(.push, request: frame, timeout: .seconds(5))
        } throws: { error in
            guard let f = error as? RuntimeFailure else { return false }
            return f.code == .invalidArgument && (f.message.lowercased().contains("nan") || f.message.lowercased().contains("finite"))
        }

        // Unknown job: NOT_FOUND.
        let unknown = values.withUnsafeBufferPointer { floats in
            WireFormat.encode(WireFrame(
                header: FrameHeader(kind: .pushRequest, requestID: 2, jobID: 4242, senderID: 0),
                entries: [.dense(variableID: placement.variableID, partition: placement.partition, version: 0, shape: shape, floats: floats)]))
        }
        await #expect {
            _ = try await channel.exchange(.push, request: unknown, timeout: .seconds(5))
        } throws: { error in
            (error as? RuntimeFailure)?.code == .notFound
        }

        let cancelled = try await cluster.client.cancel(submitted.id)
        #expect(cancelled.state == .cancelled)
        await cluster.stop()
    }
}
