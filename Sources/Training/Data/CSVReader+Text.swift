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

    /// Reads `bytes` (already inflated) as text cells; `name` is used in errors, which give the line.
    public static func readText(_ bytes: [UInt8], name: String, limit: Int? = nil) throws -> TextTable {
        try bytes.withUnsafeBufferPointer { buffer in
            var cursor = LineCursor(buffer)
            guard let headerRange = cursor.next() else { throw TrainingError(.invalidData, "\(name): empty file (no header line)") }
            let header = fields(buffer, headerRange).map { text(buffer, $0) }
            var rows: [[String]] = []
            var lines: [Int] = []
            var lineNumber = 1
            while let range = cursor.next() {
                lineNumber += 1
                if range.isEmpty { continue }
                if let limit, rows.count >= limit { break }
                let cells = fields(buffer, range)
                guard cells.count == header.count else {
                    throw TrainingError(.invalidData, "\(name): line \(lineNumber): expected \(header.count) fields, found \(cells.count)")
                }
                rows.append(cells.map { text(buffer, $0) })
                lines.append(lineNumber)
            }
            return TextTable(header: header, rows: rows, lines: lines)
        }
    }
}
