import Foundation
import JobSpec
import TensorWire
import Testing
@testable import Training

@Suite struct DataReaderTests {
    func write(_ text: String, _ name: String, in dir: URL, gzip: Bool = false) throws {
        let bytes = Array(text.utf8)
        try Data(gzip ? Gzip.compress(bytes) : bytes).write(to: dir.appendingPathComponent(name))
    }

    @Test func csvWithStringLabelsCRLFAndPadding() throws {
        let dir = try TestSupport.temporaryDirectory()
        try write("a, b ,kind\r\n1,2,zebra\r\n3, \"4\" ,ant\r\n\r\n5,6e-1,zebra\r\n", "t.csv", in: dir)
        let splits = try DataLoader.load(DataConfig(format: .csv, train: "t.csv", label: "kind", testFraction: 0, normalize: Normalization.none),
                                         dataRoot: dir)
        let d = splits.train
        #expect(d.featureNames == ["a", "b"])
        #expect(d.features.toArray() == [1, 2, 3, 4, 5, 0.6])
        #expect(d.classNames == ["ant", "zebra"])
        #expect(d.labels.toArray() == [1, 0, 1])
        #expect(d.classCount == 2)
        #expect(splits.test == nil)
    }

    @Test func csvSelectsFeatureColumnsAndNumericLabels() throws {
        let dir = try TestSupport.temporaryDirectory()
        try write("x,name,y,target\n1,foo,2,0\n3,bar,4,1\n", "t.csv", in: dir)
        let d = try DataLoader.load(DataConfig(format: .csv, train: "t.csv", label: "target", features: ["y", "x"], testFraction: 0,
                                               normalize: Normalization.none), dataRoot: dir).train
        #expect(d.featureNames == ["y", "x"])
        #expect(d.features.toArray() == [2, 1, 4, 3])
        #expect(d.classNames == nil)
        #expect(d.labels.toArray() == [0, 1])
    }

    @Test func csvByteOrderMarkIsSkipped() throws {
        let dir = try TestSupport.temporaryDirectory()
        try write("\u{FEFF}a,target\n1,0\n", "bom.csv", in: dir)
        let d = try DataLoader.load(DataConfig(format: .csv, train: "bom.csv", label: "target", testFraction: 0), dataRoot: dir).train
        #expect(d.featureNames == ["a"])
    }

    @Test func csvBadCellNamesFileLineAndColumn() throws {
        let dir = try TestSupport.temporaryDirectory()
        try write("a,b,target\n1,2,0\n1,oops,1\n", "bad.csv", in: dir)
        let error = try #require(throws: TrainingError.self) {
            try DataLoader.load(DataConfig(format: .csv, train: "bad.csv", label: "target"), dataRoot: dir)
        }
        #expect(error.code == .invalidData)
        #expect(error.message.contains("bad.csv") && error.message.contains("line 3") && error.message.contains("column 2"))
        #expect(!error.message.contains("oops"))  // errors never carry file contents
    }

    @Test func csvStructuralErrors() throws {
        let dir = try TestSupport.temporaryDirectory()
        try write("a,b,target\n1,2\n", "short.csv", in: dir)
        let short = try #require(throws: TrainingError.self) {
            try DataLoader.load(DataConfig(format: .csv, train: "short.csv", label: "target"), dataRoot: dir)
        }
        #expect(short.message.contains("line 2") && short.message.contains("expected 3 fields"))
        let missing = try #require(throws: TrainingError.self) {
            try DataLoader.load(DataConfig(format: .csv, train: "short.csv", label: "nope"), dataRoot: dir)
        }
        #expect(missing.message.contains("nope"))
        let absent = try #require(throws: TrainingError.self) {
            try DataLoader.load(DataConfig(format: .csv, train: "absent.csv", label: "target"), dataRoot: dir)
        }
        #expect(absent.code == .io && absent.message.contains("absent.csv"))
    }

    @Test func gzipIsDetectedByMagicAndTruncationIsAnError() throws {
        let dir = try TestSupport.temporaryDirectory()
        var text = "a,target\n"
        for i in 0..<2000 { text += "\(i),\(i % 2)\n" }
        try write(text, "plain-name.csv", in: dir, gzip: true)
        let d = try DataLoader.load(DataConfig(format: .csv, train: "plain-name.csv", label: "target", testFraction: 0,
                                               normalize: Normalization.none), dataRoot: dir).train
        #expect(d.count == 2000 && d.features.toArray()[1999] == 1999)

        let gz = try Gzip.compress(Array(text.utf8))
        try Data(gz[..<(gz.count / 2)]).write(to: dir.appendingPathComponent("cut.csv.gz"))
        let error = try #require(throws: TrainingError.self) {
            try DataLoader.load(DataConfig(format: .csv, train: "cut.csv.gz", label: "target"), dataRoot: dir)
        }
        #expect(error.code == .invalidData && error.message.contains("cut.csv.gz") && error.message.contains("truncated"))

        var corrupt = gz
        for i in 20..<40 { corrupt[i] ^= 0x5A }
        #expect(throws: TrainingError.self) { try Gzip.decompress(corrupt, name: "corrupt.gz") }
    }

    /// IDX bytes: images (rank 3) or labels (rank 1).
    func idx(_ dims: [Int], _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
        for d in dims { out += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return out + payload
    }

    @Test func idxImagesAndLabels() throws {
        let dir = try TestSupport.temporaryDirectory()
        let images = idx([3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8])
        try Data(Gzip.compress(images)).write(to: dir.appendingPathComponent("img.gz"))
        try Data(idx([3], [7, 2, 9])).write(to: dir.appendingPathComponent("lab"))
        let config = DataConfig(format: .idx, train: "img.gz", trainLabels: "lab", testFraction: 0)
        let d = try DataLoader.load(config, dataRoot: dir).train
        #expect(d.width == 4 && d.count == 3)
        #expect(d.features.toArray()[0..<4] == [0, 1, 0.2, 0.4])
        #expect(d.labels.toArray() == [7, 2, 9])
        #expect(d.classCount == 10)

        var limited = config
        limited.limit = 2
        #expect(try DataLoader.load(limited, dataRoot: dir).train.count == 2)
    }

    @Test func idxCorruptionIsReported() throws {
        let dir = try TestSupport.temporaryDirectory()
        try Data(idx([3], [1, 2, 3])).write(to: dir.appendingPathComponent("lab"))
        var badMagic = idx([3, 2, 2], Array(repeating: 0, count: 12))
        badMagic[0] = 0x12
        try Data(badMagic).write(to: dir.appendingPathComponent("magic"))
        try Data(idx([3, 2, 2], Array(repeating: 0, count: 9))).write(to: dir.appendingPathComponent("short"))
        try Data(idx([3], [1, 2, 3])).write(to: dir.appendingPathComponent("rank1"))

        let magic = try #require(throws: TrainingError.self) {
            try DataLoader.load(DataConfig(format: .idx, train: "magic", trainLabels: "lab"), dataRoot: dir)
        }
        #expect(magic.message.hasPrefix("magic:") && magic.message.contains("bad IDX magic"))
        let short = try #require(throws: TrainingError.self) {
            try DataLoader.load(DataConfig(format: .idx, train: "short", trainLabels: "lab"), dataRoot: dir)
        }
        #expect(short.message.hasPrefix("short") && short.message.contains("record 2"))
        #expect(throws: TrainingError.self) {
            try DataLoader.load(DataConfig(format: .idx, train: "rank1", trainLabels: "lab"), dataRoot: dir)
        }
        try Data(idx([2], [1, 2])).write(to: dir.appendingPathComponent("lab2"))
        try Data(idx([3, 2, 2], Array(repeating: 0, count: 12))).write(to: dir.appendingPathComponent("ok"))
        let mismatch = try #require(throws: TrainingError.self) {
            try DataLoader.load(DataConfig(format: .idx, train: "ok", trainLabels: "lab2"), dataRoot: dir)
        }
        #expect(mismatch.message.contains("3 images") && mismatch.message.contains("2 labels"))
    }

    @Test func syntheticDataFollowsTheFormula() throws {
        let config = SyntheticConfig(weights: [2, -1], bias: 10, samples: 50, noise: 0, xMin: 0, xMax: 5)
        let a = try SyntheticData.generate(config, seed: 4)
        let b = try SyntheticData.generate(config, seed: 4)
        #expect(a.features.toArray() == b.features.toArray())
        let x = a.features.toArray(), y = a.labels.toArray()
        for r in 0..<50 {
            #expect(abs(y[r] - (2 * x[2 * r] - x[2 * r + 1] + 10)) < 1e-4)
            #expect(x[2 * r] >= 0 && x[2 * r] < 5)
        }
    }

    @Test func configDecodesSnakeCase() throws {
        let json = #"{"format": "csv", "train": "breast_cancer/breast_cancer.csv", "label": "target", "test_fraction": 0.3, "batch_size": 64}"#
        let c = try JSONDecoder().decode(DataConfig.self, from: Data(json.utf8))
        #expect(c.testFraction == 0.3 && c.batchSize == 64 && c.seed == 0 && c.effectiveNormalization == .standard)
        let s = try JSONDecoder().decode(DataConfig.self, from: Data(#"{"format": "synthetic", "synthetic": {"x_max": 3}}"#.utf8))
        #expect(s.synthetic?.weights == [2] && s.synthetic?.xMax == 3 && s.effectiveNormalization == Normalization.none)
        #expect(throws: TrainingError.self) { try DataConfig(format: .csv, train: "x.csv").validate() }
        #expect(throws: TrainingError.self) { try DataConfig(format: .synthetic, testFraction: 1).validate() }
    }
}
