/// Parses LibSVM / SVMlight text: `label index:value index:value …` per line, indices 1-based
/// and increasing, `#` starting a comment. Rows are densified (sparse batches are future work).
/// A first pass validates every line and measures rows × width, which is reserved against the
/// budget before the second pass fills the dense rows.
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

    /// Reads `bytes`; `width` fixes the feature count (else the largest index); `name` is used in errors, which
    /// give the line and what is wrong but never the line's text. Indices lie in 1…`DataLimits.maxFeatures`.
    public static func read(_ bytes: [UInt8], name: String, width: Int? = nil, limit: Int? = nil,
                            budget: DataBudget = DataBudget()) throws -> Table {
        if let width, width <= 0 || width > DataLimits.maxFeatures {
            throw TrainingError(.invalidConfiguration, "\(name): feature count \(width) is not in 1…\(DataLimits.maxFeatures)")
        }
        let maxRows = max(limit ?? Int.max, 0)
        // Pass 1: validate and measure.
        var rows = 0
        var maxIndex = 0
        try forEachRow(bytes, name: name, width: width, maxRows: maxRows) { _, entries in
            rows += 1
            if let last = entries.last { maxIndex = max(maxIndex, last.index) }
        }
        let w = width ?? maxIndex
        guard rows > 0, w > 0 else { throw TrainingError(.invalidData, "\(name): no examples with features") }
        try budget.reserve(rows, bytesEach: 4 * (w + 1), for: "\(name): \(rows) rows × \(w) features × 4 bytes")
        // Pass 2: fill.
        var values = [Float](repeating: 0, count: rows * w)
        var labels: [Float] = []
        labels.reserveCapacity(rows)
        try forEachRow(bytes, name: name, width: w, maxRows: rows) { label, entries in
            let base = labels.count * w
            for e in entries { values[base + e.index - 1] = e.value }
            labels.append(label)
        }
        return Table(values: values, labels: labels, rows: rows, width: w)
    }

    /// Calls `body` with each data line's label and entries (at most `maxRows` lines); throws naming the first bad line.
    private static func forEachRow(_ bytes: [UInt8], name: String, width: Int?, maxRows: Int,
                                   _ body: (Float, [(index: Int, value: Float)]) throws -> Void) throws {
        var lineNumber = 0
        var start = 0
        var rows = 0
        let newline = UInt8(ascii: "\n")
        while start < bytes.count && rows < maxRows {
            var end = start
            while end < bytes.count && bytes[end] != newline { end += 1 }
            lineNumber += 1
            defer { start = end + 1 }
            guard end - start <= DataLimits.maxLineBytes else {
                throw TrainingError(.invalidData, "\(name): line \(lineNumber): longer than \(DataLimits.maxLineBytes) bytes (the limit)")
            }
            guard let (label, entries) = try parseLine(bytes[start..<end], name: name, line: lineNumber, width: width) else { continue }
            try body(label, entries)
            rows += 1
        }
    }

    /// One line's label and entries, nil for a blank or comment-only line.
    static func parseLine(_ bytes: ArraySlice<UInt8>, name: String, line: Int, width: Int?) throws -> (Float, [(index: Int, value: Float)])? {
        var text = String(decoding: bytes, as: UTF8.self)
        if let hash = text.firstIndex(of: "#") { text = String(text[..<hash]) }
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        guard let first = tokens.first else { return nil }
        guard let label = Float(first), label.isFinite else {
            throw TrainingError(.invalidData, "\(name): line \(line): the label is not a finite number")
        }
        let maxIndex = width ?? DataLimits.maxFeatures
        var entries: [(index: Int, value: Float)] = []
        entries.reserveCapacity(tokens.count - 1)
        var previous = 0
        for (k, token) in tokens.dropFirst().enumerated() {
            let parts = token.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw TrainingError(.invalidData, "\(name): line \(line): item \(k + 1) is not index:value")
            }
            guard let index = Int(parts[0]) else {
                throw TrainingError(.invalidData, "\(name): line \(line): item \(k + 1): the index is not an integer in 1…\(maxIndex)")
            }
            guard index >= 1 else {
                throw TrainingError(.invalidData, "\(name): line \(line): index \(index) is not 1-based (indices start at 1)")
            }
            guard index <= maxIndex else {
                let bound = width != nil ? "the \(maxIndex) features configured" : "the limit of \(maxIndex) features"
                throw TrainingError(.invalidData, "\(name): line \(line): index \(index) exceeds \(bound)")
            }
            guard index > previous else {
                throw TrainingError(.invalidData, "\(name): line \(line): index \(index) is not 1-based and increasing")
            }
            guard let value = Float(parts[1]), value.isFinite else {
                throw TrainingError(.invalidData, "\(name): line \(line): index \(index): the value is not a finite number")
            }
            previous = index
            entries.append((index, value))
        }
        return (label, entries)
    }
}
