#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses comma-separated tables with a header line: numeric feature columns and one label
/// column kept as text. Fields may be padded with spaces or wrapped in double quotes; quoted
/// commas are not supported.
public enum CSVReader {
    /// A parsed table.
    public struct Table: Sendable {
        /// Names of the feature columns, in file order.
        public var featureNames: [String]
        /// Feature values, row-major [rows, featureNames.count].
        public var values: [Float]
        /// The label column's text, one per row.
        public var labels: [String]
        /// Data rows read.
        public var rows: Int
    }

    /// Reads `bytes` (already inflated); `name` is the file name used in errors, which give the line and column
    /// but never a cell's text. `namesFromSpec` says whether `features` came from the job spec (and may be echoed).
    /// The decoded table is reserved against `budget` (from the line count) before it is filled.
    public static func read(_ bytes: [UInt8], name: String, label: String, features: [String]? = nil, limit: Int? = nil,
                            budget: DataBudget = DataBudget(), namesFromSpec: Bool = true) throws -> Table {
        try bytes.withUnsafeBufferPointer { buffer in
            var lines = LineCursor(buffer)
            guard let headerRange = try lines.next(name: name) else { throw TrainingError(.invalidData, "\(name): empty file (no header line)") }
            let header = try headerFields(buffer, headerRange, name: name)
            guard let labelIndex = header.firstIndex(of: label) else {
                throw TrainingError(.invalidData, "\(name): line 1: no label column '\(label)' in the header (\(header.count) columns)")
            }
            var featureIndices: [Int]
            if let features {
                featureIndices = []
                for f in features {
                    guard let i = header.firstIndex(of: f) else {
                        let which = namesFromSpec ? "'\(f)'" : "#\(featureIndices.count + 1) of the training file's"
                        throw TrainingError(.invalidData, "\(name): line 1: no feature column \(which) in the header")
                    }
                    featureIndices.append(i)
                }
            } else {
                featureIndices = header.indices.filter { $0 != labelIndex }
            }
            // Column → position in the row of features (or -1 for skipped / label).
            var slot = [Int](repeating: -1, count: header.count)
            for (k, i) in featureIndices.enumerated() { slot[i] = k }
            let width = featureIndices.count
            let rowBound = min(max(lineCount(buffer) - 1, 0), max(limit ?? Int.max, 0))
            try budget.reserve(rowBound, bytesEach: 4 * (width + 1), for: "\(name): up to \(rowBound) rows × \(width) features × 4 bytes")
            var values: [Float] = []
            values.reserveCapacity(rowBound * width)
            var labels: [String] = []
            var rows = 0
            var lineNumber = 1
            var row = [Float](repeating: 0, count: width)
            while let range = try lines.next(name: name, line: lineNumber + 1) {
                lineNumber += 1
                if range.isEmpty { continue }
                if let limit, rows >= limit { break }
                let cells = try rowFields(buffer, range, expected: header.count, name: name, line: lineNumber)
                for (c, cell) in cells.enumerated() {
                    if c == labelIndex {
                        labels.append(text(buffer, cell))
                    }
                    let k = slot[c]
                    if k >= 0 {
                        guard let v = number(buffer, cell) else {
                            let column = features != nil && namesFromSpec ? "column \(c + 1) ('\(header[c])')" : "column \(c + 1)"
                            throw TrainingError(.invalidData, "\(name): line \(lineNumber), \(column): not a number (\(cell.count) bytes)")
                        }
                        row[k] = v
                    }
                }
                values.append(contentsOf: row)
                rows += 1
            }
            return Table(featureNames: featureIndices.map { header[$0] }, values: values, labels: labels, rows: rows)
        }
    }

    /// Lines in `buffer` (newlines + 1; 0 when empty): an upper bound on its rows.
    static func lineCount(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var n = buffer.isEmpty ? 0 : 1
        for b in buffer where b == UInt8(ascii: "\n") { n += 1 }
        return n
    }

    /// The header's column names; throws past `DataLimits.maxColumns`.
    static func headerFields(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, name: String) throws -> [String] {
        let count = fieldCount(buffer, line)
        guard count <= DataLimits.maxColumns else {
            throw TrainingError(.invalidData, "\(name): line 1: \(count) columns, more than the \(DataLimits.maxColumns) allowed")
        }
        return fields(buffer, line).map { text(buffer, $0) }
    }

    /// The field ranges of a data line; throws naming the line unless it has exactly `expected` fields.
    static func rowFields(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, expected: Int, name: String, line number: Int)
        throws -> [Range<Int>]
    {
        let count = fieldCount(buffer, line)
        guard count == expected else {
            throw TrainingError(.invalidData, "\(name): line \(number): expected \(expected) fields, found \(count)")
        }
        return fields(buffer, line)
    }

    /// Fields in a line: its commas + 1.
    static func fieldCount(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Int {
        var n = 1
        for i in line where buffer[i] == UInt8(ascii: ",") { n += 1 }
        return n
    }

    /// Splits buffer lines on \n, dropping a trailing \r.
    struct LineCursor {
        let buffer: UnsafeBufferPointer<UInt8>
        var position = 0

        init(_ buffer: UnsafeBufferPointer<UInt8>) {
            self.buffer = buffer
            // Skip a UTF-8 byte-order mark.
            if buffer.count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
        }

        /// The next line's range, or nil at the end; throws naming `name` and the 1-based `line` past `DataLimits.maxLineBytes`.
        mutating func next(name: String, line: Int = 1) throws -> Range<Int>? {
            guard position < buffer.count else { return nil }
            let start = position
            var end = start
            while end < buffer.count && buffer[end] != UInt8(ascii: "\n") { end += 1 }
            guard end - start <= DataLimits.maxLineBytes else {
                throw TrainingError(.invalidData, "\(name): line \(line): longer than \(DataLimits.maxLineBytes) bytes (the limit)")
            }
            position = end + 1
            var stop = end
            if stop > start && buffer[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
            return start..<stop
        }
    }

    /// Field ranges of one line, trimmed of spaces and surrounding double quotes.
    static func fields(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = line.lowerBound
        for i in line where buffer[i] == UInt8(ascii: ",") {
            result.append(trim(buffer, start..<i))
            start = i + 1
        }
        result.append(trim(buffer, start..<line.upperBound))
        return result
    }

    static func trim(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi && (buffer[lo] == 0x20 || buffer[lo] == 0x09) { lo += 1 }
        while hi > lo && (buffer[hi - 1] == 0x20 || buffer[hi - 1] == 0x09) { hi -= 1 }
        if hi - lo >= 2 && buffer[lo] == UInt8(ascii: "\"") && buffer[hi - 1] == UInt8(ascii: "\"") {
            lo += 1
            hi -= 1
        }
        return lo..<hi
    }

    static func text(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
    }

    /// A finite decimal number filling the whole field, or nil.
    static func number(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Float? {
        let n = range.count
        guard n > 0, n < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { tmp -> Float? in
            guard let base = tmp.baseAddress, let src = buffer.baseAddress else { return nil }
            for i in 0..<n { base[i] = CChar(bitPattern: src[range.lowerBound + i]) }
            base[n] = 0
            var end: UnsafeMutablePointer<CChar>?
            let v = strtof(base, &end)
            guard let end, end == base + n, v.isFinite else { return nil }
            return v
        }
    }
}
