/// Parses LibSVM / SVMlight text: `label index:value index:value …` per line, indices 1-based
/// and increasing, `#` starting a comment. Rows are densified (sparse batches are future work).
public enum LibSVMReader {
    /// Parsed rows: dense features [rows, width] row-major and one label per row.
    public struct Table: Sendable {
        /// Feature values, row-major.
        public var values: [Float]
        /// Labels as written (binary −1/+1 files are mapped to 0/1 by `DataLoader`).
        public var labels: [Float]
        /// Rows read.
        public var rows: Int
        /// Features per row.
        public var width: Int
    }

    /// Reads `bytes`; `width` fixes the feature count (else the largest index); `name` is used in errors.
    public static func read(_ bytes: [UInt8], name: String, width: Int? = nil, limit: Int? = nil) throws -> Table {
        var entries: [(row: Int, column: Int, value: Float)] = []
        var labels: [Float] = []
        var maxIndex = 0
        var lineNumber = 0
        var start = 0
        let newline = UInt8(ascii: "\n")
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != newline { end += 1 }
            lineNumber += 1
            defer { start = end + 1 }
            var line = String(decoding: bytes[start..<end], as: UTF8.self)
            if let hash = line.firstIndex(of: "#") { line = String(line[..<hash]) }
            let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = tokens.first else { continue }
            if let limit, labels.count >= limit { break }
            guard let label = Float(first), label.isFinite else {
                throw TrainingError(.invalidData, "\(name): line \(lineNumber): label '\(first)' is not a number")
            }
            let row = labels.count
            labels.append(label)
            var previous = 0
            for token in tokens.dropFirst() {
                let parts = token.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, let index = Int(parts[0]), let value = Float(parts[1]), value.isFinite else {
                    throw TrainingError(.invalidData, "\(name): line \(lineNumber): '\(token)' is not index:value")
                }
                guard index > previous else {
                    throw TrainingError(.invalidData, "\(name): line \(lineNumber): index \(index) is not 1-based and increasing")
                }
                if let width, index > width {
                    throw TrainingError(.invalidData, "\(name): line \(lineNumber): index \(index) exceeds the \(width) features configured")
                }
                previous = index
                maxIndex = max(maxIndex, index)
                entries.append((row, index - 1, value))
            }
        }
        let w = width ?? maxIndex
        guard !labels.isEmpty, w > 0 else { throw TrainingError(.invalidData, "\(name): no examples with features") }
        var values = [Float](repeating: 0, count: labels.count * w)
        for e in entries { values[e.row * w + e.column] = e.value }
        return Table(values: values, labels: labels, rows: labels.count, width: w)
    }
}
