import ParameterStore
import TensorWire
import Testing

@Suite struct ValidationTests {
    func makeShard(_ consistency: ConsistencyConfig) throws -> ParameterShard {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [3], .constant(1)), wholePartition(1, "b", [2], .constant(2))], optimizer: .sgd(1), consistency: consistency)
        return shard
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteGradientsAreRejectedAllOrNothing(_ bad: Float) throws {
        for consistency in [ConsistencyConfig.async, .sync(replicas: 1)] {
            let shard = try makeShard(consistency)
            #expect(errorCode { try push(shard, worker: 0, version: 0, [(key(0), [1, 1, 1]), (key(1), [0, bad])]) } == .nonFinite)
            #expect(try read(shard, [key(0), key(1)]).values == [[1, 1, 1], [2, 2]])
            let stats = try shard.stats(jobID: 1)
            #expect(stats.version == 0 && stats.rejected == 1 && stats.nonFiniteRejected == 1 && stats.applied == 0)
            // The rejected push left no trace in the sync accumulator: the same worker is accepted afterwards.
            #expect(try push(shard, worker: 0, version: 0, [(key(0), [1, 1, 1]), (key(1), [1, 1])]) == .applied(newVersion: 1))
        }
    }

    @Test func nonFiniteValuesAreFoundAnywhereInALongGradient() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [1000])], optimizer: .sgd(1), consistency: .async)
        for position in [0, 15, 16, 500, 999] {
            var g = [Float](repeating: 0.5, count: 1000)
            g[position] = .nan
            #expect(errorCode { try push(shard, worker: 0, version: 0, [(key(0), g)]) } == .nonFinite)
        }
        #expect(try values(shard, key(0)) == [Float](repeating: 0, count: 1000))
    }

    @Test func badPushesAreTypedErrors() throws {
        let shard = try makeShard(.async)
        #expect(errorCode { try push(shard, job: 99, worker: 0, version: 0, [(key(0), [1, 1, 1])]) } == .notFound)
        #expect(errorCode { try push(shard, worker: 0, version: 0, [(key(0), [1, 1, 1]), (key(5), [1])]) } == .notFound)
        #expect(errorCode { try push(shard, worker: 0, version: 0, [(key(0, 1), [1, 1, 1])]) } == .notFound)
        #expect(errorCode { try push(shard, worker: 0, version: 0, [(key(0), [1, 1])]) } == .invalidArgument)
        #expect(errorCode { try push(shard, worker: 0, version: 0, [(key(0), [1, 1, 1]), (key(0), [1, 1, 1])]) } == .invalidArgument)
        #expect(errorCode { try push(shard, worker: 0, version: 0, []) } == .invalidArgument)
        #expect(errorCode { try push(shard, worker: 0, version: 3, [(key(0), [1, 1, 1])]) } == .futureVersion)
        #expect(errorCode { _ = try read(shard, [key(0), key(9)]) } == .notFound)
        #expect(try read(shard, [key(0), key(1)]).values == [[1, 1, 1], [2, 2]])
        let stats = try shard.stats(jobID: 1)
        #expect(stats.version == 0 && stats.rejected == 6)
    }

    @Test func errorsNameTheJobAndVariable() throws {
        let shard = try makeShard(.async)
        do {
            try push(shard, worker: 4, version: 0, [(key(1), [1, 2, 3])])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("job 1") && error.message.contains("variable b"))
        }
    }

    @Test func readRethrowsTheBodysError() throws {
        struct Boom: Error {}
        let shard = try makeShard(.async)
        #expect(throws: Boom.self) { try shard.read(jobID: 1, keys: [key(0)]) { _, _ in throw Boom() } }
    }
}
