import Foundation
import ParameterStore
import TensorWire
import Testing

/// An embedding partition of an `[vocabulary, width]` table (vocabulary 0 = unbounded).
func embeddingPartition(_ id: UInt32, vocabulary: Int = 0, width: Int, _ initializer: Initializer = .uniform(low: -1, high: 1), seed: UInt64 = 9) -> PartitionSpec {
    let v = VariableSpec(name: "emb\(id)", shape: Shape([vocabulary, width]), kind: .embedding, initializer: initializer)
    return PartitionSpec(variableID: id, partition: 0, variable: v, rowOffset: 0, rowCount: vocabulary, seed: seed)
}

/// Pulls rows as arrays, in request order.
func pullRows(_ shard: ParameterShard, job: UInt64 = 1, _ k: PartitionKey, _ keys: [Int64]) throws -> (version: UInt64, rows: [[Float]]) {
    try keys.withUnsafeBufferPointer { kb in
        try shard.pullSparse(jobID: job, key: k, rowKeys: kb) { v, view in (v, (0..<view.count).map { Array(view.row($0)) }) }
    }
}

/// Pushes sparse rows given as arrays.
@discardableResult
func pushRows(_ shard: ParameterShard, job: UInt64 = 1, worker: UInt32, version: UInt64, _ parts: [(PartitionKey, [Int64], [Float])]) throws(StoreError) -> PushOutcome {
    let buffers = parts.map { p -> (PartitionKey, UnsafeMutableBufferPointer<Int64>, UnsafeMutableBufferPointer<Float>) in
        let k = UnsafeMutableBufferPointer<Int64>.allocate(capacity: p.1.count)
        _ = k.initialize(from: p.1)
        let r = UnsafeMutableBufferPointer<Float>.allocate(capacity: p.2.count)
        _ = r.initialize(from: p.2)
        return (p.0, k, r)
    }
    defer { for b in buffers { b.1.deallocate(); b.2.deallocate() } }
    return try shard.push(PushRequest(
        jobID: job, workerID: worker, version: version,
        gradients: buffers.map { .sparse($0.0, rowKeys: UnsafeBufferPointer($0.1), rows: UnsafeBufferPointer($0.2)) }))
}

@Suite struct SparseTests {
    @Test func rowsAreCreatedOnFirstTouchTheSameOnEveryShard() throws {
        let spec = embeddingPartition(0, width: 5)
        let a = ParameterShard(), b = ParameterShard()
        for s in [a, b] { try s.createJob(jobID: 1, partitions: [spec], optimizer: .sgd(0.1), consistency: .async) }
        #expect(try a.sparseRowCount(jobID: 1, key: key(0)) == 0)
        let keys: [Int64] = [7, -3, 1_000_000_007, 7]
        let ra = try pullRows(a, key(0), keys).rows
        let rb = try pullRows(b, key(0), keys.reversed()).rows.reversed()
        #expect(ra == Array(rb))
        #expect(ra[0] == ra[3])
        #expect(try a.sparseRowCount(jobID: 1, key: key(0)) == 3)
        var expected = [Float](repeating: 0, count: 5)
        expected.withUnsafeMutableBufferPointer {
            spec.variable.initializer.fill($0, shape: spec.variable.shape, seed: PartitionSpec.rowSeed(variableSeed: 9, row: 1_000_000_007))
        }
        #expect(ra[2] == expected)
        #expect(ra[0] != ra[1])
    }

    @Test(arguments: OptimizerTests.cases)
    func lazyOptimizerMatchesTheReferenceOnTouchedRows(_ c: OptimizerCase) throws {
        let width = 3, steps = 5
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [embeddingPartition(0, width: width)], optimizer: c.config, consistency: .async)
        let all: [Int64] = [0, 1, 2, 3, 40]
        let initial = try pullRows(shard, key(0), all).rows
        var refs = Dictionary(uniqueKeysWithValues: zip(all, initial.map { ReferenceOptimizer(c.config, initial: $0) }))
        for t in 0..<steps {
            // Touch a varying subset, with a repeated key (summed before the update).
            let touched: [Int64] = t % 2 == 0 ? [1, 3, 1] : [40, 0, 3]
            var rows: [Float] = []
            for (i, k) in touched.enumerated() {
                for j in 0..<width {
                    let x = Double(Int(k) * 5 + t * 3 + i * 2 + j)
                    rows.append(Float(sin(x) * 0.7))
                }
            }
            var summed: [Int64: [Double]] = [:]
            for (i, k) in touched.enumerated() {
                let g = rows[(i * width)..<((i + 1) * width)].map(Double.init)
                summed[k] = zip(summed[k] ?? Array(repeating: 0, count: width), g).map { $0 + $1 }
            }
            for (k, g) in summed { refs[k]!.step(g, t: t) }
            #expect(try pushRows(shard, worker: 0, version: UInt64(t), [(key(0), touched, rows)]) == .applied(newVersion: UInt64(t + 1)))
        }
        let got = try pullRows(shard, key(0), all).rows
        for (n, k) in all.enumerated() {
            for i in 0..<width {
                #expect(close(got[n][i], refs[k]!.w[i], tolerance: 1e-4), "\(c.name) row \(k)[\(i)]: \(got[n][i]) vs \(refs[k]!.w[i])")
            }
        }
        // Row 2 was never touched: exactly its initial value.
        #expect(got[2] == initial[2])
    }

    @Test func syncAveragesRowSumsOverTheWorkersAndAppliesOnce() throws {
        let shard = ParameterShard()
        let dense = wholePartition(1, "b", [2])
        try shard.createJob(jobID: 1, partitions: [embeddingPartition(0, vocabulary: 100, width: 2, .zeros), dense], optimizer: .sgd(1), consistency: .sync(replicas: 2))
        #expect(try pushRows(shard, worker: 0, version: 0, [(key(0), [5, 6, 5], [1, 1, 2, 2, 3, 3])]) == .accumulated(count: 0, needed: 2))
        #expect(try push(shard, worker: 0, version: 0, [(key(1), [1, 1])]) == .accumulated(count: 1, needed: 2))
        // Worker 0 again: duplicate, dropped.
        #expect(try pushRows(shard, worker: 0, version: 0, [(key(0), [5], [9, 9])]) == .duplicate)
        #expect(try pushRows(shard, worker: 1, version: 0, [(key(0), [6, 7], [4, 4, 6, 6])]) == .accumulated(count: 1, needed: 2))
        #expect(try push(shard, worker: 1, version: 0, [(key(1), [3, 3])]) == .applied(newVersion: 1))
        let rows = try pullRows(shard, key(0), [5, 6, 7, 8]).rows
        // Row 5: (1+3)/2, row 6: (2+4)/2, row 7: 6/2; row 8 untouched.
        #expect(rows == [[-2, -2], [-3, -3], [-3, -3], [0, 0]])
        #expect(try values(shard, key(1)) == [-2, -2])
        // A late gradient for version 0 changes nothing.
        #expect(try pushRows(shard, worker: 2, version: 0, [(key(0), [5], [100, 100])]) == .dropped(staleBy: 1))
        #expect(try pullRows(shard, key(0), [5]).rows == [[-2, -2]])
    }

    @Test func badSparsePushesAreRejectedWhole() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [embeddingPartition(0, vocabulary: 10, width: 2, .zeros), embeddingPartition(2, width: 2, .zeros), wholePartition(1, "b", [2])], optimizer: .sgd(1), consistency: .async)
        let good = (key(2), [Int64(1)], [Float(1), 1])
        #expect(errorCode { try pushRows(shard, worker: 0, version: 0, [good, (key(0), [1], [.nan, 0])]) } == .nonFinite)
        #expect(errorCode { try pushRows(shard, worker: 0, version: 0, [good, (key(0), [1], [1, 2, 3])]) } == .invalidArgument)
        #expect(errorCode { try pushRows(shard, worker: 0, version: 0, [good, (key(0), [10], [1, 2])]) } == .notFound)
        #expect(errorCode { try pushRows(shard, worker: 0, version: 0, [good, (key(0), [-1], [1, 2])]) } == .notFound)
        #expect(errorCode { try pushRows(shard, worker: 0, version: 0, [good, (key(9), [1], [1, 2])]) } == .notFound)
        #expect(errorCode { try pushRows(shard, worker: 0, version: 0, [good, (key(1), [0], [1, 2])]) } == .invalidArgument)
        #expect(errorCode { try pushRows(shard, worker: 0, version: 1, [good]) } == .futureVersion)
        #expect(errorCode { _ = try pullRows(shard, key(0), [3, 11]) } == .notFound)
        #expect(errorCode { _ = try values(shard, key(0)) } == .invalidArgument)
        #expect(errorCode { try push(shard, worker: 0, version: 0, [(key(0), [Float](repeating: 0, count: 20))]) } == .invalidArgument)
        // Nothing was applied or created by the rejected calls.
        #expect(try shard.version(jobID: 1) == 0)
        #expect(try shard.sparseRowCount(jobID: 1, key: key(0)) == 0)
        #expect(try shard.sparseRowCount(jobID: 1, key: key(2)) == 0)
        #expect(try shard.stats(jobID: 1).nonFiniteRejected == 1)
        #expect(try pushRows(shard, worker: 0, version: 0, [good]) == .applied(newVersion: 1))
        #expect(try pullRows(shard, key(2), [1]).rows == [[-1, -1]])
    }

    @Test func manyRowsGrowTheArenaWithoutLosingValues() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [embeddingPartition(0, width: 4)], optimizer: .sgd(0.5), consistency: .async)
        let keys = (0..<1000).map { Int64($0 * 7919) }
        let before = try pullRows(shard, key(0), keys).rows
        try pushRows(shard, worker: 0, version: 0, [(key(0), keys, [Float](repeating: 2, count: keys.count * 4))])
        let after = try pullRows(shard, key(0), keys).rows
        #expect(zip(before, after).allSatisfy { b, a in zip(b, a).allSatisfy { $1 == $0 - 1 } })
        #expect(try shard.stats(jobID: 1).variables[0].bytes == 1000 * 4 * 4)
    }
}
