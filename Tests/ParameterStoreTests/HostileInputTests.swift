import ParameterStore
import TensorWire
import Testing

/// Numbers from outside (frames, CreateJob and restore requests) meet checked arithmetic and named bounds: each
/// hostile value is an invalidArgument that changes nothing, and the shard serves normal pushes and pulls afterwards.
@Suite struct HostileInputTests {
    let parts = [wholePartition(0, "w", [4, 2])]

    func pushChunk(_ shard: ParameterShard, rowOffset: Int, _ gradient: [Float]) throws(StoreError) -> PushOutcome {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: gradient.count)
        _ = buffer.initialize(from: gradient)
        defer { buffer.deallocate() }
        return try shard.push(PushRequest(jobID: 1, workerID: 1, version: 0, gradients: [.rows(key(0), rowOffset: rowOffset, UnsafeBufferPointer(buffer))]))
    }

    @Test(arguments: [Int.max, Int.max - 1, Int.max - 3, -1, 4, 3])
    func aChunkAtAHostileRowOffsetIsRefused(_ rowOffset: Int) throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: parts, optimizer: .sgd(1), consistency: .async)
        // Two rows of width 2 from `rowOffset`: the end overflows or passes the partition's 4 rows.
        #expect(errorCode { _ = try pushChunk(shard, rowOffset: rowOffset, [1, 1, 1, 1]) } == .invalidArgument)
        #expect(try values(shard, key(0)) == [Float](repeating: 0, count: 8))
        #expect(try pushChunk(shard, rowOffset: 2, [1, 1, 1, 1]) == .accumulated(count: 0, needed: 1))
        #expect(try push(shard, worker: 1, version: 0, [(key(0), [Float](repeating: 1, count: 8))]) == .applied(newVersion: 1))
    }

    @Test func partitionsWhoseRowsOverflowAreRefused() {
        let shard = ParameterShard()
        let variable = VariableSpec(name: "w", shape: Shape([4, 2]))
        let overflowing = PartitionSpec(variableID: 0, partition: 1, variable: variable, rowOffset: Int.max, rowCount: 2, seed: 1)
        let unboundedOverflow = PartitionSpec(
            variableID: 1, partition: 0, variable: VariableSpec(name: "e", shape: Shape([0, 2]), kind: .embedding), rowOffset: Int.max, rowCount: 1, seed: 1)
        // Zero elements in all, but fan-in (dims without the last) and a row's width overflow an Int.
        let fanIn = wholePartition(2, "f", [1 << 40, 1 << 40, 0])
        let rowWidth = wholePartition(3, "r", [0, 1 << 40, 1 << 40])
        let zeroWidthEmbedding = PartitionSpec(
            variableID: 4, partition: 0, variable: VariableSpec(name: "z", shape: Shape([0, 0]), kind: .embedding), rowOffset: 0, rowCount: 0, seed: 1)
        for bad in [overflowing, unboundedOverflow, fanIn, rowWidth, zeroWidthEmbedding] {
            #expect(errorCode { try shard.createJob(jobID: 1, partitions: [bad], optimizer: .sgd(1), consistency: .async) } == .invalidArgument, "\(bad)")
        }
        #expect(!shard.hasJob(1))
    }

    @Test func workerCountsAreBounded() {
        let shard = ParameterShard()
        for bad in [ConsistencyConfig.sync(replicas: Int.max), .sync(replicas: 1, backups: Int.max), .sync(replicas: ConsistencyConfig.maxWorkers + 1)] {
            #expect(errorCode { try shard.createJob(jobID: 1, partitions: parts, optimizer: .sgd(1), consistency: bad) } == .invalidArgument)
        }
    }

    @Test func versionsNearTheTopAreRefused() async throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: parts, optimizer: .sgd(1), consistency: .async)
        #expect(errorCode { try load(shard, key(0), [Float](repeating: 1, count: 8), version: UInt64.max) } == .invalidArgument)
        var image = try await shard.checkpoint(jobID: 1)
        image.version = UInt64.max
        #expect(errorCode { try shard.restore(jobID: 1, from: image) } == .invalidArgument)
        #expect(try shard.version(jobID: 1) == 0)
        try load(shard, key(0), [Float](repeating: 1, count: 8), version: ParameterShard.maxVersion)
        #expect(try push(shard, worker: 1, version: ParameterShard.maxVersion, [(key(0), [Float](repeating: 1, count: 8))]) == .applied(newVersion: ParameterShard.maxVersion + 1))
    }

    @Test func aCheckpointWithRepeatedRowKeysOrPartitionsIsRefused() async throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [embeddingPartition(0, vocabulary: 10, width: 2)], optimizer: .sgd(1), consistency: .async)
        _ = try pullRows(shard, key(0), [1, 2])
        let image = try await shard.checkpoint(jobID: 1)
        var repeated = image
        repeated.partitions[0].rowKeys = [1, 1]
        var outside = image
        outside.partitions[0].rowKeys = [1, 10]
        var twice = image
        twice.partitions.append(image.partitions[0])
        for bad in [repeated, outside, twice] {
            #expect(errorCode { try shard.restore(jobID: 1, from: bad) } == .invalidArgument)
        }
        try shard.restore(jobID: 1, from: image)
        #expect(try shard.sparseRowCount(jobID: 1, key: key(0)) == 2)
    }
}
