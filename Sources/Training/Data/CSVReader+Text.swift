extension CSVReader {
    /// A table of raw cell text: the header and every data row.
    public struct TextTable: Sendable {
        /// Column names.
        public var header: [String]
        /// Data rows, each with `header.count` cells.
        public var rows: [[String]]
        /// The 1-based file line of each data row (for error messages).
        public var lines: [Int]
    }

    /// Bytes one text cell costs in memory (a `String`), used to bound a `TextTable` before it is built.
    static let bytesPerTextCell = MemoryLayout<String>.stride

    /// Reads `bytes` (already inflated) as text cells; `name` is used in errors, which give the line but no cell text.
    /// The table's cells (at most lines × columns) must fit in what is left of `budget`.
    public static func readText(_ bytes: [UInt8], name: String, limit: Int? = nil, budget: DataBudget = DataBudget()) throws -> TextTable {
        try bytes.withUnsafeBufferPointer { buffer in
            var cursor = RecordCursor(buffer)
            guard let headerRecord = try cursor.next(name: name, keep: DataLimits.maxColumns) else {
                throw TrainingError(.invalidData, "\(name): empty file (no header line)")
            }
            let header = try headerFields(buffer, headerRecord, name: name)
            let rowBound = min(max(lineCount(buffer) - 1, 0), max(limit ?? Int.max, 0))
            let (cells, overflow) = rowBound.multipliedReportingOverflow(by: header.count + 1)
            try budget.check(overflow ? Int.max : cells, bytesEach: bytesPerTextCell,
                             for: "\(name): up to \(rowBound) rows × \(header.count) text cells")
            var rows: [[String]] = []
            var lines: [Int] = []
            while let record = try cursor.next(name: name, keep: header.count) {
                if record.isBlank { continue }
                if let limit, rows.count >= limit { break }
                let cells = try rowFields(record, expected: header.count, name: name)
                rows.append(cells.map { text(buffer, $0) })
                lines.append(record.line)
            }
            return TextTable(header: header, rows: rows, lines: lines)
        }
    }
}
