import Foundation
import TensorWire
import Testing
@testable import Training

/// Malformed files get clean errors instead of traps, and the data budget refuses a job that needs
/// more decoded data than it allows, naming both numbers.
@Suite struct DataBoundsTests {
    /// IDX bytes with the given (u32) dims.
    func idx(_ dims: [UInt32], _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
        for d in dims { out += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return out + payload
    }

    @Test func idxDimsWhoseProductOverflowsAreAnError() throws {
        for dims: [UInt32] in [[.max, .max, .max], [1 << 31, 1 << 31, 4], [1 << 30, 1 << 30, 1 << 30]] {
            let error = try #require(throws: TrainingError.self) { _ = try IDXReader.images(idx(dims, [1, 2, 3]), name: "big.idx") }
            #expect(error.code == .invalidData && error.message.hasPrefix("big.idx: "), "\(error.message)")
        }
        // Dims that fit an Int but not the file: truncated, with the record.
        let short = try #require(throws: TrainingError.self) { _ = try IDXReader.images(idx([60000, 28, 28], [0]), name: "short.idx") }
        #expect(short.message.contains("truncated at record 0"))
        let labels = try #require(throws: TrainingError.self) { _ = try IDXReader.labels(idx([.max], []), name: "l.idx") }
        #expect(labels.message.contains("l.idx"))
    }

    /// One TFRecord frame whose length field says `length` (with a valid length CRC) over `data`.
    func frame(length: UInt64, data: [UInt8]) -> [UInt8] {
        let lengthBytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        let crc = TFRecord.maskedCRC(lengthBytes)
        return lengthBytes + (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) } + data
    }

    @Test func truncatedAndOversizedTFRecordsAreErrors() throws {
        let good = TFRecord.encode([ExampleProto.encode(["label": .floats([1]), "x": .floats([2])])])
        // Every truncation, including the 12–15 byte tails that once trapped.
        for cut in 1..<good.count {
            let error = try #require(throws: TrainingError.self) { _ = try TFRecord.records(Array(good.prefix(cut)), name: "t.rec") }
            #expect(error.message.hasPrefix("t.rec: record 0"), "\(cut): \(error.message)")
        }
        for cut in 12...15 {
            let error = try #require(throws: TrainingError.self) { _ = try TFRecord.records(good + frame(length: 0, data: []).prefix(cut), name: "t.rec") }
            #expect(error.message.contains("record 1") && error.message.contains("truncated"))
        }
        for length: UInt64 in [.max, UInt64(Int.max), 1 << 40, 5] {
            let error = try #require(throws: TrainingError.self) { _ = try TFRecord.records(frame(length: length, data: [1, 2, 3, 4]), name: "t.rec") }
            #expect(error.message.contains("runs past the end of the file"), "\(error.message)")
        }
    }

    @Test func exampleProtoRejectsBadVarintsAndLengths() {
        let cases: [[UInt8]] = [
            [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],  // length 2^64 − 1
            [0x0A] + [UInt8](repeating: 0x80, count: 11),  // overlong varint
            [0x0A, 0x05, 0x0A, 0x03, 0x0A],  // inner length past the outer message
            [0x0F],  // wire type 7
            [0x00],  // field 0
            [0x0A, 0x08, 0x0A, 0x06, 0x12, 0x04, 0x12, 0x02, 0x0A, 0x03],  // packed floats of 3 bytes
        ]
        for bytes in cases {
            #expect(throws: TrainingError.self) { _ = try ExampleProto.decode(bytes[...]) }
        }
    }

    @Test func libsvmIndicesOutOfRangeAreErrors() throws {
        let cases: [(String, String)] = [
            ("1 9223372036854775807:1\n", "exceeds the limit of \(DataLimits.maxFeatures) features"),
            ("1 99999999999999999999:1\n", "is not an integer"),
            ("1 -3:1\n", "is not 1-based"),
            ("1 0:1\n", "is not 1-based"),
            ("1 2:1 2:1\n", "increasing"),
            ("1 1:nan\n", "not a finite number"),
            ("x 1:1\n", "label is not a finite number"),
            ("1 1\n", "is not index:value"),
        ]
        for (text, expected) in cases {
            let error = try #require(throws: TrainingError.self) { _ = try LibSVMReader.read(Array(text.utf8), name: "a.svm") }
            #expect(error.message.hasPrefix("a.svm: line 1") && error.message.contains(expected), "\(text): \(error.message)")
        }
        let configured = try #require(throws: TrainingError.self) { _ = try LibSVMReader.read(Array("1 5:1\n".utf8), name: "a.svm", width: 4) }
        #expect(configured.message.contains("exceeds the 4 features configured"))
        // Many rows of a wide index amplify a small file: the budget refuses it before allocating.
        let wide = String(repeating: "1 \(DataLimits.maxFeatures):1\n", count: 1000)
        let budget = DataBudget(limit: 64 << 20)
        let error = try #require(throws: TrainingError.self) { _ = try LibSVMReader.read(Array(wide.utf8), name: "w.svm", budget: budget) }
        #expect(error.code == .resourceExhausted && error.message.contains("64 MiB"))
    }

    @Test func csvBoundsAreErrors() throws {
        let wideHeader = Array((0...DataLimits.maxColumns).map { "c\($0)" }.joined(separator: ",").utf8)
        let columns = try #require(throws: TrainingError.self) { _ = try CSVReader.read(wideHeader, name: "w.csv", label: "c0") }
        #expect(columns.message.contains("more than the \(DataLimits.maxColumns) allowed"))
        let fields = try #require(throws: TrainingError.self) { _ = try CSVReader.read(Array("a,b,y\n1\n".utf8), name: "f.csv", label: "y") }
        #expect(fields.message == "f.csv: line 2: expected 3 fields, found 1")
        let long = Array("a,y\n".utf8) + [UInt8](repeating: UInt8(ascii: "1"), count: DataLimits.maxLineBytes + 1)
        let line = try #require(throws: TrainingError.self) { _ = try CSVReader.read(long, name: "l.csv", label: "y") }
        #expect(line.message.contains("line 2: longer than"))
        let number = try #require(throws: TrainingError.self) { _ = try CSVReader.read(Array("a,y\n1e999,0\n".utf8), name: "n.csv", label: "y") }
        #expect(number.message.contains("line 2, column 1") && number.message.contains("not a number"))
    }

    /// 1 GiB of zeros as 1024 concatenated gzip members of 1 MiB each (about 1 MB on disk).
    func gzipBomb() throws -> [UInt8] {
        let member = try Gzip.compress([UInt8](repeating: 0, count: 1 << 20), level: 9)
        return (0..<1024).flatMap { _ in member }
    }

    @Test func gzipBombStopsAtTheBudget() throws {
        let bomb = try gzipBomb()
        let budget = DataBudget(limit: 16 << 20)
        let error = try #require(throws: TrainingError.self) { _ = try Gzip.decompress(bomb, name: "bomb.gz", budget: budget) }
        #expect(error.code == .resourceExhausted)
        #expect(error.message == "job needs more than 16 MiB of data on this worker (bomb.gz inflates past 16 MiB); --max-data-bytes is 16 MiB",
                "\(error.message)")

        // Through the loader, as a job's file.
        let dir = try TestSupport.temporaryDirectory()
        try Data(bomb).write(to: dir.appendingPathComponent("bomb.csv"))
        let loaded = try #require(throws: TrainingError.self) {
            try DataLoader.load(DataConfig(format: .csv, train: "bomb.csv", label: "y"), dataRoot: dir, budget: DataBudget(limit: 16 << 20))
        }
        #expect(loaded.code == .resourceExhausted && loaded.message.contains("bomb.csv"))
    }

    @Test func aJobOverTheBudgetFailsNamingBothNumbers() throws {
        let dir = try TestSupport.temporaryDirectory()
        try Data(idx([100, 28, 28], [UInt8](repeating: 7, count: 100 * 784))).write(to: dir.appendingPathComponent("img"))
        try Data(idx([100], [UInt8](repeating: 1, count: 100))).write(to: dir.appendingPathComponent("lab"))
        let config = DataConfig(format: .idx, train: "img", trainLabels: "lab", testFraction: 0)
        let error = try #require(throws: TrainingError.self) { try DataLoader.load(config, dataRoot: dir, budget: DataBudget(limit: 200 << 10)) }
        #expect(error.code == .resourceExhausted)
        #expect(error.message.hasPrefix("job needs ~306.3 KiB of decoded data on this worker"), "\(error.message)")
        #expect(error.message.hasSuffix("; --max-data-bytes is 200 KiB"))
        // The same job fits a larger budget.
        #expect(try DataLoader.load(config, dataRoot: dir, budget: DataBudget(limit: 1 << 20)).train.count == 100)
    }

    @Test func syntheticSamplesAreBoundedByTheBudget() throws {
        for samples in [1_000_000_000_000, Int.max] {
            var config = DataConfig(format: .synthetic, testFraction: 0)
            config.synthetic = SyntheticConfig(samples: samples)
            let error = try #require(throws: TrainingError.self) { try DataLoader.load(config, dataRoot: URL(fileURLWithPath: "/nonexistent"),
                                                                                      budget: DataBudget(limit: 1 << 30)) }
            #expect(error.code == .resourceExhausted && error.message.contains("data.samples"))
        }
        #expect(DataBudget.format(3_328_599_654) == "3.1 GiB" && DataBudget.format(2 << 30) == "2 GiB" && DataBudget.format(512) == "512 bytes")
    }

    @Test func hugeLabelsAndBatchSizesDoNotTrap() throws {
        let d = try Dataset(features: Tensor(shape: Shape([2, 1]), values: [0, 1]), labels: Tensor(shape: Shape([2]), values: [1e30, 3]),
                            featureNames: ["x"])
        #expect(d.classCount == nil)
        var batches = try BatchIterator(dataset: d, batchSize: Int.max, shuffle: false)
        #expect(batches.batchesPerEpoch == 1 && batches.next()?.labels.count == 2 && batches.next() == nil)
    }
}
