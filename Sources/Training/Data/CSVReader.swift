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

    /// Reads `bytes` (already inflated); `name` is the file name used in errors, which also give the line and column.
    public static func read(_ bytes: [UInt8], name: String, label: String, features: [String]? = nil, limit: Int? = nil) throws -> Table {
        try bytes.withUnsafeBufferPointer { buffer in
            var lines = LineCursor(buffer)
            guard let headerRange = lines.next() else { throw TrainingError(.invalidData, "\(name): empty file (no header line)") }
            let header = fields(buffer, headerRange).map { text(buffer, $0) }
            guard let labelIndex = header.firstIndex(of: label) else {
                throw TrainingError(.invalidData, "\(name): line 1: no label column '\(label)' in header \(header)")
            }
            var featureIndices: [Int]
            if let features {
                featureIndices = []
                for f in features {
                    guard let i = header.firstIndex(of: f) else {
                        throw TrainingError(.invalidData, "\(name): line 1: no feature column '\(f)' in header")
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
            var values: [Float] = []
            var labels: [String] = []
            var rows = 0
            var lineNumber = 1
            var row = [Float](repeating: 0, count: width)
            while let range = lines.next() {
                lineNumber += 1
                if range.isEmpty { continue }
                if let limit, rows >= limit { break }
                let cells = fields(buffer, range)
                guard cells.count == header.count else {
                    throw TrainingError(.invalidData, "\(name): line \(lineNumber): expected \(header.count) fields, found \(cells.count)")
                }
                for (c, cell) in cells.enumerated() {
                    if c == labelIndex {
                        labels.append(text(buffer, cell))
                    }
                    let k = slot[c]
                    if k >= 0 {
                        guard let v = number(buffer, cell) else {
                            throw TrainingError(.invalidData,
                                                "\(name): line \(lineNumber), column '\(header[c])': '\(text(buffer, cell))' is not a number")
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

    /// Splits buffer lines on \n, dropping a trailing \r.
    struct LineCursor {
        let buffer: UnsafeBufferPointer<UInt8>
        var position = 0

        init(_ buffer: UnsafeBufferPointer<UInt8>) {
            self.buffer = buffer
            // Skip a UTF-8 byte-order mark.
            if buffer.count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
        }

        mutating func next() -> Range<Int>? {
            guard position < buffer.count else { return nil }
            let start = position
            var end = start
            while end < buffer.count && buffer[end] != UInt8(ascii: "\n") { end += 1 }
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
