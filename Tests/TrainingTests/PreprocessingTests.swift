import Foundation
import Testing
import TensorWire

@testable import Training

/// A raw example goes through `Preprocessing` to exactly the row the model was trained on — scaled, standardized,
/// categorical columns hashed, missing cells filled — so a served or exported model answers right on raw inputs.
@Suite struct PreprocessingTests {
    /// The rows of `dataset` as arrays.
    static func rows(_ dataset: Dataset) -> [[Float]] {
        (0..<dataset.count).map { r in Array(UnsafeBufferPointer(start: dataset.features.baseAddress + r * dataset.width, count: dataset.width)) }
    }

    static let csv = Array("""
        a,b,c,label
        1,10,100,x
        2,20,300,y
        4,50,200,x
        8,10,600,z
        """.utf8)

    @Test func standardizedCSVRowsComeOutAsTrainingRows() throws {
        let config = DataConfig(format: .csv, train: "t.csv", label: "label", testFraction: 0, normalize: .standard, batchSize: 2, seed: 1)
        let splits = try DataLoader.load(config, contents: ["t.csv": Self.csv])
        let p = splits.preprocessing
        #expect(p.features == ["a", "b", "c"] && p.inputWidth == 3 && p.divisor == nil)
        #expect(p.classNames == ["x", "y", "z"] && p.className(2) == "z" && p.className(7) == "7")
        let raw = try CSVReader.read(Self.csv, name: "t.csv", label: "label")
        for (r, trained) in Self.rows(splits.train).enumerated() {
            let numbers = (0..<3).map { Double(raw.values[r * 3 + $0]) }
            #expect(try p.row(numbers: numbers) == trained, "row \(r)")
            let fields = Dictionary(uniqueKeysWithValues: zip(p.features, numbers.map { Preprocessing.RawValue.text(String($0)) }))
            #expect(try p.row(fields: fields) == trained, "row \(r) by name")
        }
    }

    @Test func tabularRowsHashCategoriesFillMissingCellsAndStandardizeNumbers() throws {
        let text = Array("""
            color,size,age,y
            red,S,30,1
            blue,M,?,0
            red,L,50,1
            ?,M,20,0
            """.utf8)
        let columns = TabularColumns(categorical: ["color", "size"], numeric: ["age"], wide: ["color", "color*size"], buckets: 50, wideBuckets: 70)
        let config = DataConfig(format: .csv, train: "t.csv", label: "y", testFraction: 0, normalize: .standard, batchSize: 2, seed: 1, tabular: columns)
        let splits = try DataLoader.load(config, contents: ["t.csv": text])
        let p = splits.preprocessing
        #expect(p.features == ["color", "size", "age"] && p.inputWidth == 5)
        #expect(p.numericFill == [Float(100) / 3], "the training split's mean age fills a missing one")
        let examples: [[String: Preprocessing.RawValue]] = [
            ["color": .text("red"), "size": .text("S"), "age": .number(30)],
            ["color": .text("blue"), "size": .text("M"), "age": .missing],
            ["color": .text("red"), "size": .text("L"), "age": .text("50")],
            ["size": .text("M"), "age": .number(20)],  // color absent: missing, as "?" was
        ]
        for (example, trained) in zip(examples, Self.rows(splits.train)) {
            #expect(try p.row(fields: example) == trained, "\(example)")
        }
        #expect(throws: TrainingError.self) { try p.row(numbers: [1, 2, 3]) }
    }

    @Test func imagePixelsAreScaledAsTheReaderScaledThem() throws {
        func idx(_ magic: UInt8, _ dims: [UInt32], _ body: [UInt8]) -> [UInt8] {
            [0, 0, 8, magic] + dims.flatMap { d in (0..<4).map { UInt8(truncatingIfNeeded: d >> (24 - 8 * UInt32($0))) } } + body
        }
        let pixels: [UInt8] = [0, 17, 255, 128, 3, 99, 200, 1]
        let files = ["x": idx(3, [2, 2, 2], pixels), "y": idx(1, [2], [0, 1])]
        let config = DataConfig(format: .idx, train: "x", trainLabels: "y", testFraction: 0, batchSize: 1, seed: 1)
        let splits = try DataLoader.load(config, contents: files)
        let p = splits.preprocessing
        #expect(p.divisor == 255 && p.features == ["pixel_0", "pixel_1", "pixel_2", "pixel_3"])
        for (r, trained) in Self.rows(splits.train).enumerated() {
            #expect(try p.row(numbers: pixels[(r * 4)..<(r * 4 + 4)].map { Double($0) }) == trained)
        }
    }

    @Test func badExamplesAreRefusedWithTheProblemNamed() throws {
        let p = Preprocessing(features: ["a", "b"], inputWidth: 2)
        func message(_ body: () throws -> [Float]) -> String {
            do { _ = try body(); return "accepted" } catch { return "\(error)" }
        }
        #expect(message { try p.row(numbers: [1]) }.contains("1 values; the model takes 2 features"))
        #expect(message { try p.row(numbers: [1, .nan]) }.contains("\"b\" is not a finite number"))
        #expect(message { try p.row(numbers: [1, 1e300]) }.contains("\"b\" is not a finite number"))
        #expect(message { try p.row(fields: ["a": .number(1), "c": .number(2)]) }.contains("unknown feature \"c\""))
        #expect(message { try p.row(fields: ["a": .number(1)]) }.contains("feature \"b\" is missing"))
        #expect(message { try p.row(fields: ["a": .number(1), "b": .text("abc")]) }.contains("feature \"b\" is not a number"))
    }

    @Test func itTravelsAsJSON() throws {
        let p = Preprocessing(
            features: ["a", "b"], inputWidth: 2, divisor: 2, standardization: Standardization(mean: [1, 2], std: [3, 4]), classNames: ["n", "p"])
        let back = try JSONDecoder().decode(Preprocessing.self, from: JSONEncoder().encode(p))
        #expect(back == p)
        #expect(try back.row(numbers: [2, 4]) == [(1 - 1) * (1 / 3), (2 - 2) * (1 / 4)])
    }
}
