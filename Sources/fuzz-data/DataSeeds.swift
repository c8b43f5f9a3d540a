import Foundation
import JobSpec
import Training

/// The seed corpus: a small valid file of every format, each behind its parser's selector byte.
/// Slices of the real datasets are used when a data root is found ($TESSERA_DATA_ROOT, .data,
/// ../shared/data), small generated files otherwise.
enum DataSeeds {
    /// Writes the seeds into `directory`; returns how many.
    static func write(to directory: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let small = Array("a,b,y\n1,2,0\n3,4.5,1\n-1,?,0\n".utf8)
        var seeds: [(String, DataFuzzer.Parser, [UInt8])] = [
            ("csv-small", .csv, small),
            ("gzip-small", .gzip, try Gzip.compress(small)),
            ("idx-labels", .idxLabels, [0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]),
        ]
        let rows = try cancerRows()
        seeds.append(("libsvm-cancer", .libsvm, Array(rows.prefix(8).map(libsvmLine).joined().utf8)))
        seeds.append(("tfrecord-cancer", .tfrecord, TFRecord.encode(rows.prefix(5).map(example))))
        seeds.append(("example-cancer", .example, example(rows[0])))
        if let root = dataRoot() {
            let cancer = try String(contentsOf: root.appendingPathComponent("breast_cancer/breast_cancer.csv"), encoding: .utf8)
            seeds.append(("csv-cancer", .csv, Array(lines(cancer, 10).utf8)))
            let adult = try Gzip.decompress([UInt8](Data(contentsOf: root.appendingPathComponent("adult/adult.csv.gz"))), name: "adult")
            seeds.append(("csv-adult.gz", .csv, try Gzip.compress(Array(lines(String(decoding: adult, as: UTF8.self), 12).utf8))))
            let images = try Gzip.decompress([UInt8](Data(contentsOf: root.appendingPathComponent("mnist/t10k-images-idx3-ubyte.gz"))), name: "mnist")
            let three: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 3] + images[8..<16] + images[16..<(16 + 3 * 784)]
            seeds.append(("idx-mnist-3", .idxImages, three))
            seeds.append(("idx-mnist-3.gz", .idxImages, try Gzip.compress(three)))
        } else {
            let image = [UInt8](repeating: 0, count: 2 * 4 * 4).enumerated().map { UInt8(truncatingIfNeeded: $0.offset * 9) }
            seeds.append(("idx-images", .idxImages, [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4] + image))
        }
        for (name, parser, bytes) in seeds {
            guard FileManager.default.createFile(atPath: directory + "/" + name, contents: Data([parser.rawValue] + bytes)) else {
                throw CocoaError(.fileWriteUnknown)
            }
        }
        return seeds.count
    }

    /// The first `count` lines (header included) of `text`, newline-terminated.
    private static func lines(_ text: String, _ count: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).prefix(count).joined(separator: "\n") + "\n"
    }

    /// A few (label, features) rows: the breast-cancer data when found, else generated ones.
    private static func cancerRows() throws -> [(label: Float, features: [Float])] {
        if let root = dataRoot() {
            let config = DataConfig(format: .csv, train: "breast_cancer/breast_cancer.csv", label: "target", testFraction: 0, normalize: Normalization.none, limit: 8)
            let data = try DataLoader.load(config, dataRoot: root).train
            let x = data.features.toArray(), y = data.labels.toArray()
            return (0..<data.count).map { (y[$0], Array(x[($0 * data.width)..<(($0 + 1) * data.width)].prefix(6))) }
        }
        return (0..<8).map { i in (Float(i % 2), (0..<6).map { Float(i * 6 + $0) / 10 }) }
    }

    private static func libsvmLine(_ row: (label: Float, features: [Float])) -> String {
        (["\(row.label == 1 ? "+1" : "-1")"] + row.features.enumerated().filter { $0.element != 0 }.map { "\($0.offset + 1):\($0.element)" })
            .joined(separator: " ") + "\n"
    }

    private static func example(_ row: (label: Float, features: [Float])) -> [UInt8] {
        ExampleProto.encode(["label": .int64s([row.label == 1 ? 1 : 0]), "x": .floats(row.features), "n": .int64s([7])])
    }

    private static func dataRoot() -> URL? {
        let candidates = [ProcessInfo.processInfo.environment["TESSERA_DATA_ROOT"], ".data", "../shared/data"].compactMap { $0 }
        return candidates.map { URL(fileURLWithPath: $0) }
            .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("breast_cancer/breast_cancer.csv").path) }
    }
}
