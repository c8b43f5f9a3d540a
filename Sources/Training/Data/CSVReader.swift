#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses comma-separated tables (RFC 4180) with a header line: numeric feature columns and one label
/// column kept as text. Fields may be padded with spaces or tabs; a quoted field may hold commas,
/// line breaks and doubled quotes (see `RecordCursor`).
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
            var records = RecordCursor(buffer)
            guard let headerRecord = try records.next(name: name, keep: DataLimits.maxColumns) else {
                throw TrainingError(.invalidData, "\(name): empty file (no header line)")
            }
            let header = try headerFields(buffer, headerRecord, name: name)
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
            var row = [Float](repeating: 0, count: width)
            while let record = try records.next(name: name, keep: header.count) {
                if record.isBlank { continue }
                if let limit, rows >= limit { break }
                let lineNumber = record.line
                let cells = try rowFields(record, expected: header.count, name: name)
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
    static func headerFields(_ buffer: UnsafeBufferPointer<UInt8>, _ record: Record, name: String) throws -> [String] {
        guard record.count <= DataLimits.maxColumns else {
            throw TrainingError(.invalidData, "\(name): line \(record.line): \(record.count) columns, more than the \(DataLimits.maxColumns) allowed")
        }
        return record.fields.map { text(buffer, $0) }
    }

    /// The fields of a data record; throws naming the line unless it has exactly `expected` fields.
    static func rowFields(_ record: Record, expected: Int, name: String) throws -> [Field] {
        guard record.count == expected else {
            throw TrainingError(.invalidData, "\(name): line \(record.line): expected \(expected) fields, found \(record.count)")
        }
        return record.fields
    }

    /// A field's text, a doubled quote read as one.
    static func text(_ buffer: UnsafeBufferPointer<UInt8>, _ field: Field) -> String {
        let bytes = UnsafeBufferPointer(rebasing: buffer[field.range])
        guard field.escaped else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            out.append(bytes[i])
            i += bytes[i] == UInt8(ascii: "\"") ? 2 : 1  // a quoted field holds quotes only doubled
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A finite decimal number filling the whole field, or nil.
    static func number(_ buffer: UnsafeBufferPointer<UInt8>, _ field: Field) -> Float? {
        let range = field.range, n = range.count
        guard n > 0, n < 64, !field.escaped else { return nil }
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
