import ClusterRuntime
import Foundation
import JobSpec
import Testing

/// A worker reuses the data it decoded for the next task that reads the same unchanged files the same way.
@Suite struct DatasetCacheTests {
    /// A CSV of 200 rows (x0, x1, label) in a fresh data root.
    func dataRoot() throws -> String {
        let dir = NSTemporaryDirectory() + "tessera-dataset-cache-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var csv = "x0,x1,label\n"
        for i in 0..<200 { csv += "\(Double(i) / 10),\(Double(i % 7)),\(i % 2)\n" }
        try csv.write(toFile: dir + "/rows.csv", atomically: true, encoding: .utf8)
        return dir
    }

    func spec(batch: Int = 16, rate: Double = 0.1, testFraction: Double = 0.25) throws -> JobSpec {
        try JobSpecParser.parse(yaml: """
            name: cache
            model: {type: logistic}
            data: {format: csv, train: rows.csv, label: label, test_fraction: \(testFraction), normalize: standard, batch_size: \(batch)}
            optimizer: {type: sgd, learning_rate: \(rate)}
            training: {mode: async, max_steps: 10}
            """)
    }

    @Test func theSameFilesReadTheSameWayAreDecodedOnce() throws {
        let root = try dataRoot()
        let cache = DatasetCache()
        let first = try WorkerData.load(spec: spec(), dataRoot: root, workerIndex: 0, workerCount: 1, cache: cache)
        // Another trial: other batch size and learning rate, same data section otherwise → the decoded rows are reused.
        let second = try WorkerData.load(spec: spec(batch: 32, rate: 0.01), dataRoot: root, workerIndex: 0, workerCount: 1, cache: cache)
        #expect(cache.hits == 1)
        #expect(second.train.count == first.train.count && second.test?.count == first.test?.count && second.batchesPerEpoch < first.batchesPerEpoch)
        #expect(second.preprocessing == first.preprocessing)
        // Another split is decoded again (and replaces the entry); so is the first one after it.
        _ = try WorkerData.load(spec: spec(testFraction: 0.5), dataRoot: root, workerIndex: 0, workerCount: 1, cache: cache)
        _ = try WorkerData.load(spec: spec(), dataRoot: root, workerIndex: 0, workerCount: 1, cache: cache)
        #expect(cache.hits == 1)
        // A file rewritten since is decoded again: its new rows count.
        try (String(contentsOfFile: root + "/rows.csv", encoding: .utf8) + "9.9,1,1\n").write(toFile: root + "/rows.csv", atomically: true, encoding: .utf8)
        let edited = try WorkerData.load(spec: spec(), dataRoot: root, workerIndex: 0, workerCount: 1, cache: cache)
        #expect(cache.hits == 1)
        #expect(edited.train.count + (edited.test?.count ?? 0) == 201)
        // Each worker of a job takes its own shard of the cached rows.
        let shard = try WorkerData.load(spec: spec(), dataRoot: root, workerIndex: 1, workerCount: 2, cache: cache)
        #expect(cache.hits == 2 && shard.train.count < edited.train.count)
    }
}
