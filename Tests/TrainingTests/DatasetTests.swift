import Foundation
import TensorWire
import Testing
@testable import Training

@Suite struct DatasetTests {
    /// Rows 0..<n with feature [i, 2i] and label i.
    func table(_ n: Int) throws -> Dataset {
        var f: [Float] = []
        for i in 0..<n { f += [Float(i), Float(2 * i)] }
        return try Dataset(features: Tensor(shape: Shape([n, 2]), values: f), labels: Tensor(shape: Shape([n]), values: (0..<n).map(Float.init)),
                           featureNames: ["a", "b"])
    }

    @Test func splitIsDeterministicDisjointAndComplete() throws {
        let d = try table(100)
        let (train, test) = try DataLoader.split(d, testFraction: 0.3, seed: 9)
        let (train2, test2) = try DataLoader.split(d, testFraction: 0.3, seed: 9)
        let t = try #require(test)
        #expect(train.count == 70 && t.count == 30)
        #expect(train.labels.toArray() == train2.labels.toArray() && t.labels.toArray() == test2?.labels.toArray())
        #expect(Set(train.labels.toArray()).isDisjoint(with: t.labels.toArray()))
        #expect(Set(train.labels.toArray()).union(t.labels.toArray()).count == 100)
        let other = try DataLoader.split(d, testFraction: 0.3, seed: 10).test
        #expect(other?.labels.toArray() != t.labels.toArray())
        #expect(throws: TrainingError.self) { try DataLoader.split(d, testFraction: 0.999, seed: 1) }
    }

    @Test func standardizationUsesTrainingStatistics() throws {
        let dir = try TestSupport.temporaryDirectory()
        var text = "u,v,target\n"
        for i in 0..<200 { text += "\(i),\(1000 + 3 * i),\(i % 2)\n" }
        try Data(text.utf8).write(to: dir.appendingPathComponent("s.csv"))
        let splits = try DataLoader.load(DataConfig(format: .csv, train: "s.csv", label: "target", testFraction: 0.25, seed: 3), dataRoot: dir)
        let train = splits.train
        #expect(train.count == 150 && splits.test?.count == 50)
        for j in 0..<2 {
            let col = stride(from: j, to: train.count * 2, by: 2).map { Double(train.features.toArray()[$0]) }
            let mean = col.reduce(0, +) / Double(col.count)
            let variance = col.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(col.count)
            #expect(abs(mean) < 1e-4 && abs(variance - 1) < 1e-3)
        }
        let s = try #require(splits.standardization)
        // A test row maps back through the training statistics onto the line v = 1000 + 3u.
        let test = try #require(splits.test)
        let u = test.features.toArray()[0] * s.std[0] + s.mean[0]
        let v = test.features.toArray()[1] * s.std[1] + s.mean[1]
        #expect(abs(v - (1000 + 3 * u)) < 1e-2)
    }

    @Test func shardsInterleaveRows() throws {
        let d = try table(10)
        #expect(try d.shard(1, of: 3).labels.toArray() == [1, 4, 7])
        #expect(try d.shard(0, of: 3).count == 4)
        #expect(throws: TrainingError.self) { try d.shard(3, of: 3) }
        #expect(try d.shard(0, of: 1).labels.toArray() == d.labels.toArray())
    }

    @Test func batchIteratorCoversEveryRowOncePerEpoch() throws {
        let d = try table(10)
        let batches = Array(try BatchIterator(dataset: d, batchSize: 4, seed: 1, epoch: 0))
        #expect(batches.map(\.count) == [4, 4, 2])
        let labels = batches.flatMap { $0.labels.toArray() }
        #expect(Set(labels).count == 10)
        // Features travel with their labels.
        for b in batches {
            let f = b.features.toArray(), l = b.labels.toArray()
            for r in 0..<b.count { #expect(f[2 * r] == l[r] && f[2 * r + 1] == 2 * l[r]) }
        }
        let again = Array(try BatchIterator(dataset: d, batchSize: 4, seed: 1, epoch: 0)).flatMap { $0.labels.toArray() }
        let nextEpoch = Array(try BatchIterator(dataset: d, batchSize: 4, seed: 1, epoch: 1)).flatMap { $0.labels.toArray() }
        let otherWorker = Array(try BatchIterator(dataset: d, batchSize: 4, seed: 1, epoch: 0, worker: 1)).flatMap { $0.labels.toArray() }
        #expect(again == labels && nextEpoch != labels && otherWorker != labels)
        #expect(Array(try BatchIterator(dataset: d, batchSize: 4, dropLast: true)).map(\.count) == [4, 4])
        #expect(Array(try BatchIterator(dataset: d, batchSize: 3, shuffle: false)).first?.labels.toArray() == [0, 1, 2])
    }

    @Test func prefetchingYieldsTheSameBatches() throws {
        let d = try table(1000)
        let plain = Array(try BatchIterator(dataset: d, batchSize: 7, seed: 5, epoch: 2)).map { $0.labels.toArray() }
        let prefetched = PrefetchingBatchIterator(try BatchIterator(dataset: d, batchSize: 7, seed: 5, epoch: 2), depth: 2)
        var got: [[Float]] = []
        while let b = prefetched.next() { got.append(b.labels.toArray()) }
        #expect(got == plain)
        #expect(prefetched.next() == nil)
        // Abandoning an iterator early must not hang or leak a blocked producer.
        for _ in 0..<20 {
            let early = PrefetchingBatchIterator(try BatchIterator(dataset: d, batchSize: 1), depth: 1)
            _ = early.next()
        }
    }
}
