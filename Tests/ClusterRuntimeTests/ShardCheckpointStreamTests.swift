import Foundation
import ParameterStore
import TensorWire
import Testing

@testable import ClusterRuntime

/// Checkpoints written from a shard's memory in chunks and restored a partition at a time.
@Suite struct ShardCheckpointStreamTests {
    static let adagrad = OptimizerConfig(kind: .adagrad, learningRate: 0.05)
    static let width = 16

    /// Shard `index` of 2 of a sync job (2 workers): its partition of a [0, 16] embedding table (Adagrad) and a dense
    /// bias, the way the placement splits an embedding variable over shards.
    static func makeShard(_ index: UInt32) throws -> ParameterShard {
        let table = VariableSpec(name: "emb", shape: Shape([0, width]), kind: .embedding, initializer: .uniform(low: -1, high: 1))
        let bias = VariableSpec(name: "bias", shape: Shape([4]), initializer: .zeros)
        let shard = ParameterShard()
        try shard.createJob(
            jobID: 1,
            partitions: [
                PartitionSpec(variableID: 0, partition: index, variable: table, rowOffset: 0, rowCount: 0, seed: 9),
                PartitionSpec.whole(variableID: 1, variable: bias, seed: 3),
            ],
            optimizer: adagrad, consistency: .sync(replicas: 2))
        return shard
    }

    /// `steps` sync steps of 2 workers, each pushing `rowsPerStep` random rows of the shard's table and the bias.
    static func train(_ shard: ParameterShard, partition: UInt32, steps: Int, rowsPerStep: Int, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let table = PartitionKey(variableID: 0, partition: partition), bias = PartitionKey(variableID: 1, partition: 0)
        for _ in 0..<steps {
            let v = try shard.version(jobID: 1)
            for worker: UInt32 in 0..<2 {
                var keys: [Int64] = []
                var seen = Set<Int64>()
                while keys.count < rowsPerStep {
                    let k = Int64.random(in: 0..<Int64(rowsPerStep * 40), using: &rng)
                    if seen.insert(k).inserted { keys.append(k) }
                }
                let rows = (0..<(keys.count * width)).map { _ in Float.random(in: -1...1, using: &rng) }
                let grads: [(PartitionKey, UnsafeMutableBufferPointer<Int64>?, UnsafeMutableBufferPointer<Float>)] = [
                    (table, .allocate(capacity: keys.count), .allocate(capacity: rows.count)),
                    (bias, nil, .allocate(capacity: 4)),
                ]
                defer { for g in grads { g.1?.deallocate(); g.2.deallocate() } }
                _ = grads[0].1!.initialize(from: keys)
                _ = grads[0].2.initialize(from: rows)
                _ = grads[1].2.initialize(from: [0.5, -0.25, 1, Float(worker)])
                try shard.push(PushRequest(jobID: 1, workerID: worker, version: v, gradients: [
                    .sparse(table, rowKeys: UnsafeBufferPointer(grads[0].1!), rows: UnsafeBufferPointer(grads[0].2)),
                    .partition(bias, UnsafeBufferPointer(grads[1].2)),
                ]))
            }
        }
    }

    @Test func aShardedEmbeddingJobRoundTripsThroughCheckpointFilesByteForByte() async throws {
        let dir = try temporaryDirectory("checkpoint-stream")
        defer { try? FileManager.default.removeItem(at: dir) }
        for index: UInt32 in 0..<2 {
            let shard = try Self.makeShard(index)
            try Self.train(shard, partition: index, steps: 6, rowsPerStep: 300, seed: UInt64(index) + 1)
            let files = ShardCheckpointFiles(dataDir: dir.appendingPathComponent("ps-\(index)").path)
            let expected = try await shard.checkpoint(jobID: 1)
            let source = try await shard.checkpointSource(jobID: 1)
            let written = try files.write(source, chunkBytes: 1000)  // an odd chunk: rows and keys cut mid-way
            source.release()
            #expect(written.bytes > expected.byteCount)
            #expect(try Data(contentsOf: URL(fileURLWithPath: written.path)) == (try Self.wholeImageFile(expected, dir: dir)))

            // A restarted psd: fresh rows, restored from the file a partition at a time.
            let restored = try Self.makeShard(index)
            let file = try files.read(path: written.path, jobID: 1, crc32c: written.crc32c, limit: 1 << 30)
            #expect(try file.image().partitions == expected.partitions)
            try restored.restore(jobID: 1, reading: file)
            let image = try await restored.checkpoint(jobID: 1)
            #expect(image.version == expected.version && image.version == 6)
            #expect(image.partitions == expected.partitions)  // values, Adagrad slots, row keys in order
            #expect(image.partitions[0].rowKeys?.count == expected.partitions[0].rowKeys?.count)
            #expect((image.partitions[0].rowKeys?.count ?? 0) > 1000)

            // Its own checkpoint is the same file, byte for byte.
            let again = ShardCheckpointFiles(dataDir: dir.appendingPathComponent("ps-\(index)-again").path)
            let source2 = try await restored.checkpointSource(jobID: 1)
            let rewritten = try again.write(source2)
            source2.release()
            #expect(try Data(contentsOf: URL(fileURLWithPath: rewritten.path)) == (try Data(contentsOf: URL(fileURLWithPath: written.path))))
            #expect(rewritten.crc32c == written.crc32c)

            // Both continue the same way.
            try Self.train(shard, partition: index, steps: 2, rowsPerStep: 50, seed: 99)
            try Self.train(restored, partition: index, steps: 2, rowsPerStep: 50, seed: 99)
            #expect(try await restored.checkpoint(jobID: 1).partitions == (try await shard.checkpoint(jobID: 1).partitions))
        }
    }

    /// The file the writer made before checkpoints were streamed: the whole image handed to `SafetensorsWriter`.
    static func wholeImageFile(_ image: ShardCheckpoint, dir: URL) throws -> Data {
        var tensors: [SafetensorsWriter.Tensor] = []
        for p in image.partitions {
            let base = "\(p.name)@\(p.key.variableID).\(p.key.partition)"
            tensors.append(.floats(base, shape: Shape(p.shape), values: p.values))
            for name in p.slots.keys.sorted() { tensors.append(.floats("\(base)#\(name)", shape: Shape(p.shape), values: p.slots[name] ?? [])) }
            if let keys = p.rowKeys {
                tensors.append(SafetensorsWriter.Tensor(name: "\(base)#keys", dtype: .i64, shape: Shape([keys.count])) { d in
                    keys.withUnsafeBytes { d.copyMemory(from: $0) }
                })
            }
        }
        let path = dir.appendingPathComponent("whole-\(UUID().uuidString).safetensors").path
        try SafetensorsWriter.write(
            tensors, metadata: ["format": "tessera-shard-checkpoint-1", "job": String(image.jobID), "version": String(image.version)], to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test func aCheckpointCopiesOneChunkAtATimeNeverTheShard() async throws {
        let dir = try temporaryDirectory("checkpoint-chunks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let shard = try Self.makeShard(0)
        try Self.train(shard, partition: 0, steps: 3, rowsPerStep: 4000, seed: 5)
        let source = try await shard.checkpointSource(jobID: 1)
        // Rows, Adagrad slots and keys of ~12,000 rows: ~1.6 MB, written through a 16 KiB buffer.
        #expect(source.byteCount > 1_500_000)
        #expect(source.copied.total == 0)  // holding the checkpoint copies nothing
        let written = try ShardCheckpointFiles(dataDir: dir.path).write(source, chunkBytes: 16 << 10)
        source.release()
        #expect(source.copied.largest <= 16 << 10)
        #expect(source.copied.total == source.byteCount)  // every byte read once, through the chunk
        #expect(written.bytes > source.byteCount && written.bytes < source.byteCount + 4096)  // data + header
    }

    @Test func aHeldCheckpointHoldsPushesRefusesRestoresAndReleasesThem() async throws {
        let shard = try Self.makeShard(0)
        try Self.train(shard, partition: 0, steps: 2, rowsPerStep: 10, seed: 1)
        #expect(!shard.hasPausedJobs)
        let source = try await shard.checkpointSource(jobID: 1)
        #expect(shard.hasPausedJobs)
        let image = try await shard.checkpoint(jobID: 1)
        #expect(throws: StoreError.self) { try shard.restore(jobID: 1, from: image) }
        let waited = Task { await shard.waitWhilePaused(jobID: 1); return ContinuousClock.now }
        try await Task.sleep(for: .milliseconds(50))
        let released = ContinuousClock.now
        source.release()
        #expect(await waited.value >= released)
        #expect(!shard.hasPausedJobs)
        try shard.restore(jobID: 1, from: image)
        #expect(throws: StoreError.self) {
            var buffer = [UInt8](repeating: 0, count: 8)
            try buffer.withUnsafeMutableBytes { try source.read(partition: 0, .values, offset: 0, into: $0) }
        }
    }

    @Test func aSyncCheckpointRefusesToMixVersions() async throws {
        let shard = try Self.makeShard(0)
        try Self.train(shard, partition: 0, steps: 1, rowsPerStep: 10, seed: 1)
        let source = try await shard.checkpointSource(jobID: 1)
        defer { source.release() }
        // Pushes that were already in flight (they do not wait in waitWhilePaused here) complete a version.
        try Self.train(shard, partition: 0, steps: 1, rowsPerStep: 10, seed: 2)
        let error = #expect(throws: StoreError.self) {
            var buffer = [UInt8](repeating: 0, count: 8)
            try buffer.withUnsafeMutableBytes { try source.read(partition: 0, .values, offset: 0, into: $0) }
        }
        #expect(error?.code == .failedPrecondition)
    }

    @Test func aCorruptOrForeignCheckpointFileIsRefusedBeforeAnythingChanges() async throws {
        let dir = try temporaryDirectory("checkpoint-corrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let shard = try Self.makeShard(0)
        try Self.train(shard, partition: 0, steps: 2, rowsPerStep: 100, seed: 1)
        let files = ShardCheckpointFiles(dataDir: dir.path)
        let source = try await shard.checkpointSource(jobID: 1)
        let written = try files.write(source)
        source.release()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: written.path))
        bytes[bytes.count - 3] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: written.path))
        #expect(throws: RuntimeFailure.self) { _ = try files.read(path: written.path, jobID: 1, crc32c: written.crc32c, limit: 1 << 30) }
        // A file of another job is refused by its metadata.
        #expect(throws: RuntimeFailure.self) { _ = try files.read(path: written.path, jobID: 2, crc32c: 0, limit: 1 << 30) }
    }

    @Test func mangledCheckpointFilesAreRefusedOrRestoredNeverTrap() async throws {
        let dir = try temporaryDirectory("checkpoint-mangled")
        defer { try? FileManager.default.removeItem(at: dir) }
        let shard = try Self.makeShard(0)
        try Self.train(shard, partition: 0, steps: 2, rowsPerStep: 20, seed: 4)
        let files = ShardCheckpointFiles(dataDir: dir.path)
        let source = try await shard.checkpointSource(jobID: 1)
        let written = try files.write(source)
        source.release()
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: written.path)))
        var rng = SeededGenerator(seed: 17)
        var refused = 0
        for round in 0..<300 {
            var bytes = original
            switch round % 4 {
            case 0:  // a few random bytes anywhere (header JSON, lengths, shapes, keys, values)
                for _ in 0..<Int.random(in: 1...4, using: &rng) { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            case 1:  // truncated
                bytes.removeLast(Int.random(in: 1..<bytes.count, using: &rng))
            case 2:  // a hostile header length
                let n = [UInt64.max, UInt64(Int.max), UInt64(bytes.count), 0, UInt64.random(in: 0...UInt64.max, using: &rng)][round / 4 % 5]
                withUnsafeBytes(of: n.littleEndian) { for i in 0..<8 { bytes[i] = $0[i] } }
            default:  // a byte of the header text
                let headerEnd = min(bytes.count, 8 + Int(original[0]) + Int(original[1]) << 8)
                bytes[Int.random(in: 8..<headerEnd, using: &rng)] = UInt8.random(in: 32...126, using: &rng)
            }
            try Data(bytes).write(to: URL(fileURLWithPath: written.path))
            let fresh = try Self.makeShard(0)
            do {
                let file = try files.read(path: written.path, jobID: 1, crc32c: 0, limit: 1 << 30)
                try fresh.restore(jobID: 1, reading: file)
            } catch {
                refused += 1
            }
        }
        #expect(refused > 150)
    }
}
