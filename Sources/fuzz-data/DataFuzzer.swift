import Foundation
import FuzzSupport
import TensorWire
import Training

/// One fuzz input through a data parser chosen by its first byte (see `Parser`); the rest of the
/// input is the file. Every parser runs within a small `DataBudget`, so a hostile header or a gzip
/// bomb must be refused, not allocated. Whatever parses must re-encode consistently.
enum DataFuzzer {
    /// The parsers, selected by `input[0] % Parser.allCases.count`.
    enum Parser: UInt8, CaseIterable {
        /// `DataLoader` on a CSV (label = last header column), then `readText` + `TabularEncoder`.
        case csv
        /// `IDXReader.images`, then the loader with labels to match.
        case idxImages
        /// `IDXReader.labels`.
        case idxLabels
        /// `DataLoader` on LibSVM text.
        case libsvm
        /// `TFRecord.records` (re-framing must give the same bytes), then the loader on tf.train.Examples.
        case tfrecord
        /// `ExampleProto.decode` (decode ∘ encode must be stable).
        case example
        /// `Gzip.decompress` (compress then decompress must round-trip).
        case gzip
    }

    /// Budget of one input: large enough for the seeds, small enough that a bomb is refused fast.
    static let budgetBytes = 32 << 20

    /// Fuzz body: returns normally for every input; a trap or failed invariant is a finding.
    static func fuzz(_ input: [UInt8]) {
        guard let first = input.first, input.count <= 1 << 20 else { return }
        let parser = Parser(rawValue: first % UInt8(Parser.allCases.count)) ?? .csv
        let file = Array(input.dropFirst())
        let budget = DataBudget(limit: budgetBytes, limitName: "fuzz budget")
        switch parser {
        case .csv: csv(file, budget: budget)
        case .idxImages: idxImages(file, budget: budget)
        case .idxLabels: _ = try? IDXReader.labels(file, name: "l", limit: nil, budget: budget)
        case .libsvm: load(DataConfig(format: .libsvm, train: "t.svm", testFraction: 0.25), ["t.svm": file], budget)
        case .tfrecord: tfrecord(file, budget: budget)
        case .example: example(file)
        case .gzip: gzip(file, budget: budget)
        }
        _ = DataRoot.lexicalProblem(String(decoding: file.prefix(64), as: UTF8.self))
    }

    /// FUZZ_DATA_VERBOSE=1 prints what each load gave (to check that seeds reach the readers' depths).
    static let verbose = ProcessInfo.processInfo.environment["FUZZ_DATA_VERBOSE"] != nil

    private static func load(_ config: DataConfig, _ contents: [String: [UInt8]], _ budget: DataBudget) {
        let splits: DatasetSplits
        do {
            splits = try DataLoader.load(config, contents: contents, budget: budget)
        } catch {
            if verbose { print("\(config.format): \(error)") }
            return
        }
        if verbose { print("\(config.format): \(splits.train.count) rows × \(splits.inputWidth), test \(splits.test?.count ?? 0)") }
        precondition(splits.train.count > 0 && splits.train.features.count == splits.train.count * splits.inputWidth,
                     "a loaded dataset's features do not match its rows × width")
        _ = splits.train.classCount
    }

    private static func csv(_ file: [UInt8], budget: DataBudget) {
        let text = Gzip.isGzip(file) ? (try? Gzip.decompress(file, name: "t.csv", budget: DataBudget(limit: budgetBytes))) ?? [] : file
        let firstLine = text.prefix(4096).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first ?? []
        let header = String(decoding: firstLine, as: UTF8.self).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let label = header.last ?? "y"
        load(DataConfig(format: .csv, train: "t.csv", label: label), ["t.csv": file], budget)
        guard header.count >= 3 else { return }
        let columns = TabularColumns(categorical: [header[1]], numeric: [header[0]], wide: ["\(header[1])*\(header[0])"], buckets: 7, wideBuckets: 5)
        load(DataConfig(format: .csv, train: "t.csv", label: label, tabular: columns), ["t.csv": file], DataBudget(limit: budgetBytes))
    }

    private static func idxImages(_ file: [UInt8], budget: DataBudget) {
        guard let images = try? IDXReader.images(file, name: "i", budget: budget), images.rows <= 1 << 16 else { return }
        var labels: [UInt8] = [0, 0, 0x08, 1] + (0..<4).map { UInt8(truncatingIfNeeded: images.rows >> (8 * (3 - $0))) }
        labels += (0..<images.rows).map { UInt8($0 % 10) }
        load(DataConfig(format: .idx, train: "i", trainLabels: "l", testFraction: 0.2), ["i": file, "l": labels], DataBudget(limit: budgetBytes))
        shardAlone(DataConfig(format: .idx, train: "i", trainLabels: "l", test: "i", testLabels: "l", testFraction: 0), ["i": file, "l": labels])
    }

    /// A shard decoded alone equals the whole decode's shard (rows, labels, class count), or both decodes fail.
    private static func shardAlone(_ config: DataConfig, _ contents: [String: [UInt8]]) {
        let whole = try? DataLoader.load(config, contents: contents, budget: DataBudget(limit: budgetBytes))
        for (index, workers) in [(0, 1), (1, 3), (4, 5)] {
            guard let rows = try? DataShard(index: index, of: workers) else { preconditionFailure("shard \(index) of \(workers)") }
            let alone = try? DataLoader.load(config, contents: contents, budget: DataBudget(limit: budgetBytes), shard: rows)
            guard let whole, let alone else {
                precondition(whole == nil, "the whole split decoded but worker \(index) of \(workers)'s shard did not")
                continue
            }
            let expected = try? whole.train.shard(index, of: workers)
            precondition(alone.trainRows == whole.trainRows && alone.train.labels.toArray() == expected?.labels.toArray()
                         && alone.train.features.toArray() == expected?.features.toArray()
                         && alone.preprocessing.classes == whole.preprocessing.classes,
                         "worker \(index) of \(workers)'s shard decoded alone differs from the whole decode's shard")
        }
    }

    private static func tfrecord(_ file: [UInt8], budget: DataBudget) {
        guard let records = try? TFRecord.records(file, name: "t") else { return }
        precondition(TFRecord.encode(records.map { Array($0) }) == file, "re-framing parsed TFRecords changed the bytes")
        load(DataConfig(format: .tfrecord, train: "t.rec", testFraction: 0), ["t.rec": file], budget)
    }

    private static func example(_ file: [UInt8]) {
        guard let decoded = try? ExampleProto.decode(file[...]) else { return }
        let encoded = ExampleProto.encode(decoded)
        guard let again = try? ExampleProto.decode(encoded[...]) else { preconditionFailure("an encoded Example does not decode") }
        precondition(ExampleProto.encode(again) == encoded, "Example encode ∘ decode is not stable")
    }

    private static func gzip(_ file: [UInt8], budget: DataBudget) {
        guard Gzip.isGzip(file), let inflated = try? Gzip.decompress(file, name: "g", budget: budget) else { return }
        guard let packed = try? Gzip.compress(inflated, level: 1) else { preconditionFailure("cannot compress what inflated") }
        let again = try? Gzip.decompress(packed, name: "g", budget: DataBudget(limit: budgetBytes))
        precondition(again == inflated, "gzip compress → decompress did not round-trip")
    }

    /// Writes the seed inputs; returns how many.
    static func writeSeeds(to directory: String) throws -> Int { try DataSeeds.write(to: directory) }
}
