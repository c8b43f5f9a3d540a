import Testing
import Training

/// IDX data decoded for one worker's shard alone (`DataLoader.load(_:contents:shard:)`) gives exactly what decoding the
/// whole split and then sharding gives — rows, labels, class count, test split, preprocessing — while holding and
/// reserving only the shard's rows.
@Suite("Shard-only decoding")
struct ShardDecodeTests {
    /// An IDX file: big-endian dims after the magic, then the payload.
    func idx(_ dims: [Int], _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
        for d in dims { out += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return out + payload
    }

    /// 23 training images of 3 × 2 pixels with labels 0…6 (class 6 only in row 13), 5 test images.
    func files() -> [String: [UInt8]] {
        let train = (0..<23 * 6).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        let labels = (0..<23).map { UInt8($0 == 13 ? 6 : $0 % 6) }
        return ["tr": idx([23, 3, 2], train), "tl": idx([23], labels),
                "te": idx([5, 3, 2], (0..<30).map { UInt8($0 * 8) }), "tel": idx([5], [1, 2, 3, 4, 5])]
    }

    let config = DataConfig(format: .idx, train: "tr", trainLabels: "tl", test: "te", testLabels: "tel", testFraction: 0)

    @Test("every shard of 1, 3, 7, 23 and 30 workers equals the whole decode's shard, limit included")
    func shardsEqualWholeThenShard() throws {
        for limit in [nil, 17] as [Int?] {
            var config = self.config
            config.limit = limit
            let whole = try DataLoader.load(config, contents: files())
            #expect(whole.trainShard == nil && whole.trainRows == (limit ?? 23))
            for workers in [1, 3, 7, 23, 30] {
                for index in 0..<workers {
                    let rows = try DataShard(index: index, of: workers)
                    let alone = try DataLoader.load(config, contents: files(), shard: rows)
                    let expected = try whole.train.shard(index, of: workers)
                    #expect(alone.trainShard == rows && alone.trainRows == whole.trainRows)
                    #expect(alone.train.count == rows.rows(of: whole.trainRows) && alone.train.count == expected.count)
                    #expect(alone.train.features.toArray() == expected.features.toArray(), "worker \(index) of \(workers)")
                    #expect(alone.train.labels.toArray() == expected.labels.toArray(), "worker \(index) of \(workers)")
                    #expect(alone.preprocessing.classes == whole.preprocessing.classes, "the class count comes from every label")
                    #expect(alone.preprocessing.features == whole.preprocessing.features && alone.preprocessing.divisor == 255)
                    #expect(alone.test?.features.toArray() == whole.test?.features.toArray())
                }
            }
            #expect(whole.preprocessing.classes == 7)
        }
    }

    @Test("a shard is reserved against the budget alone: 1 of 4 loads where the whole split would not fit")
    func shardFitsABudgetTheWholeSplitDoesNot() throws {
        // Whole split: 23 × 6 × 4 = 552 feature bytes + 92 of labels + 140 of test > 700; worker 1 of 4: 6 rows = 144 + 92 + 140.
        let budget = { DataBudget(limit: 700) }
        #expect(throws: TrainingError.self) { try DataLoader.load(config, contents: files(), budget: budget()) }
        let shard = try DataLoader.load(config, contents: files(), budget: budget(), shard: try DataShard(index: 1, of: 4))
        #expect(shard.train.count == 6 && shard.trainRows == 23)
    }

    @Test("data that needs the whole split is decoded whole: IDX without test files, z-scored IDX, CSV")
    func wholeWhenStatisticsNeedIt() throws {
        let rows = try DataShard(index: 0, of: 2)
        var noTest = config
        noTest.test = nil
        noTest.testLabels = nil
        noTest.testFraction = 0.2
        var zScored = config
        zScored.normalize = .standard
        for config in [noTest, zScored] {
            #expect(!DataLoader.decodesShardOnly(config))
            let splits = try DataLoader.load(config, contents: files(), shard: rows)
            #expect(splits.trainShard == nil && splits.train.count == splits.trainRows)
        }
        #expect(DataLoader.decodesShardOnly(config))
        #expect(!DataLoader.decodesShardOnly(DataConfig(format: .csv, train: "t.csv", testFraction: 0)))
        #expect(throws: TrainingError.self) { try DataShard(index: 2, of: 2) }
        #expect(throws: TrainingError.self) { try DataShard(index: 0, of: 0) }
    }

    @Test("a worker that never evaluates leaves IDX test files undecoded (even broken ones); the rest is the same")
    func heldOutLeftOutForWorkersThatDoNotEvaluate() throws {
        let rows = try DataShard(index: 1, of: 3)
        let evaluating = try DataLoader.load(config, contents: files(), shard: rows)
        let training = try DataLoader.load(config, contents: files(), shard: rows, heldOut: false)
        #expect(evaluating.test?.count == 5 && training.test == nil)
        #expect(training.train.features.toArray() == evaluating.train.features.toArray())
        #expect(training.train.labels.toArray() == evaluating.train.labels.toArray())
        #expect(training.preprocessing.json == evaluating.preprocessing.json && training.trainRows == evaluating.trainRows)
        // The test files are not even read: a truncated one fails only the worker that evaluates.
        var broken = files()
        broken["te"] = Array(broken["te"]!.prefix(9))
        #expect(throws: TrainingError.self) { try DataLoader.load(config, contents: broken, shard: rows) }
        #expect(try DataLoader.load(config, contents: broken, shard: rows, heldOut: false).test == nil)
        // A test fraction is still split off, and CSV test files still decoded (their labels name classes).
        var fraction = config
        (fraction.test, fraction.testLabels, fraction.testFraction) = (nil, nil, 0.2)
        #expect(!DataLoader.skipsHeldOut(fraction) && DataLoader.skipsHeldOut(config))
        #expect(try DataLoader.load(fraction, contents: files(), heldOut: false).test?.count == 5)
        #expect(!DataLoader.skipsHeldOut(DataConfig(format: .csv, train: "a.csv", test: "b.csv", label: "y", testFraction: 0)))
    }
}
