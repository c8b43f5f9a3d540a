import ParameterStore
import TensorWire
import Testing

/// The shard's memory limit covers everything a job makes it hold: dense values, optimizer slots and sync sums at
/// creation, embedding rows as they are created on first touch (pulls, pushes, sync sums, restores). What would pass
/// it is refused with resourceExhausted naming the need and the room, and changes nothing; dropping a job frees it all.
@Suite struct MemoryBudgetTests {
    /// Message of the StoreError `body` throws (nil when it does not throw).
    func failure(_ body: () throws -> Void) -> StoreError? {
        do {
            try body()
            return nil
        } catch {
            return error as? StoreError
        }
    }

    @Test func createJobNamesTheNeedAndTheRoom() throws {
        let shard = ParameterShard(memoryLimitBytes: 100)
        // Adam, sync: values, m, v and the sum: 10 × 4 bytes × 4 = 160.
        let error = try #require(failure {
            try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [10])], optimizer: OptimizerConfig(kind: .adam, learningRate: 0.1), consistency: .sync(replicas: 2))
        })
        #expect(error.code == .resourceExhausted)
        #expect(error.message.contains("160 bytes") && error.message.contains("100 of its 100-byte memory limit"), "\(error.message)")
        #expect(!shard.hasJob(1) && shard.bytesHeld == 0)
    }

    @Test func embeddingRowsCountAndAreRefusedBeyondTheLimit() throws {
        let shard = ParameterShard(memoryLimitBytes: 1000)
        try shard.createJob(jobID: 1, partitions: [embeddingPartition(0, width: 4)], optimizer: .sgd(0.1), consistency: .async)
        #expect(shard.bytesHeld == 0, "rows are created on first touch: nothing is reserved up front")
        // 17 rows of 4 floats: the arena holds 32 rows (grown by doubling from 16), 32 × 16 bytes.
        _ = try pullRows(shard, key(0), (0..<17).map { Int64($0) })
        #expect(shard.bytesHeld == 512)
        #expect(try shard.stats(jobID: 1).totalBytes == 512)

        // 40 new rows need 64 rows' room: 512 more bytes, 488 left.
        let fresh = (100..<140).map { Int64($0) }
        let pulled = try #require(failure { _ = try pullRows(shard, key(0), fresh) })
        #expect(pulled.code == .resourceExhausted)
        #expect(pulled.message.contains("512 bytes") && pulled.message.contains("488 of its 1000-byte"), "\(pulled.message)")
        let pushed = try #require(failure {
            try pushRows(shard, worker: 1, version: 0, [(key(0), fresh, [Float](repeating: 1, count: 160))])
        })
        #expect(pushed.code == .resourceExhausted)
        #expect(try shard.sparseRowCount(jobID: 1, key: key(0)) == 17, "a refused pull or push creates no row")
        #expect(try shard.version(jobID: 1) == 0, "a refused push applies nothing")
        #expect(shard.bytesHeld == 512)

        // Rows that exist are served as before.
        #expect(try pullRows(shard, key(0), [3, 16]).rows.count == 2)
        try pushRows(shard, worker: 1, version: 0, [(key(0), [3], [1, 1, 1, 1])])
        #expect(try shard.version(jobID: 1) == 1)

        #expect(shard.dropJob(jobID: 1))
        #expect(shard.bytesHeld == 0, "dropping the job frees its rows")
        try shard.createJob(jobID: 2, partitions: [embeddingPartition(0, width: 4)], optimizer: .sgd(0.1), consistency: .async)
        _ = try pullRows(shard, job: 2, key(0), Array(fresh.prefix(30)))
        #expect(shard.bytesHeld == 512)
    }

    @Test func syncSumsCountToo() throws {
        // Momentum: values + one slot per row (32 bytes), and the version's sums (16 bytes a row).
        let shard = ParameterShard(memoryLimitBytes: 1000)
        try shard.createJob(jobID: 1, partitions: [embeddingPartition(0, width: 4)], optimizer: OptimizerConfig(kind: .momentum, learningRate: 0.1), consistency: .sync(replicas: 2))
        try pushRows(shard, worker: 1, version: 0, [(key(0), [1, 2], [Float](repeating: 1, count: 8))])
        // 16 rows' room in both arenas: 16 × 32 + 16 × 16.
        #expect(shard.bytesHeld == 768)
        let error = try #require(failure {
            try pushRows(shard, worker: 2, version: 0, [(key(0), (10..<30).map { Int64($0) }, [Float](repeating: 1, count: 80))])
        })
        #expect(error.code == .resourceExhausted)
        #expect(shard.bytesHeld == 768)
        // The refused worker's push was not counted: worker 2 can still deliver, and the version is applied.
        #expect(try pushRows(shard, worker: 2, version: 0, [(key(0), [2], [1, 1, 1, 1])]) == .applied(newVersion: 1))
        #expect(try shard.sparseRowCount(jobID: 1, key: key(0)) == 2)
    }

    @Test func aRestoreBeyondTheLimitChangesNothing() async throws {
        let big = ParameterShard()
        try big.createJob(jobID: 1, partitions: [embeddingPartition(0, width: 4)], optimizer: .sgd(0.1), consistency: .async)
        _ = try pullRows(big, key(0), (0..<40).map { Int64($0) })
        let image = try await big.checkpoint(jobID: 1)

        let small = ParameterShard(memoryLimitBytes: 600)
        try small.createJob(jobID: 1, partitions: [embeddingPartition(0, width: 4)], optimizer: .sgd(0.1), consistency: .async)
        _ = try pullRows(small, key(0), [5])
        #expect(failure { try small.restore(jobID: 1, from: image) }?.code == .resourceExhausted)
        #expect(try small.sparseRowCount(jobID: 1, key: key(0)) == 1)
        #expect(small.bytesHeld == 256)
    }
}
