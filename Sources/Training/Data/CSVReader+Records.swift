/// RFC 4180 records: fields separated by commas, records by LF or CRLF; a field whose first non-blank byte is a
/// double quote runs to the matching closing quote and may hold commas, line breaks (kept as written) and doubled
/// quotes (`""` for one `"`). Spaces and tabs around a field (outside its quotes) are padding and dropped.
extension CSVReader {
    /// One field of a record: its bytes in the buffer (inside the quotes for a quoted field).
    struct Field {
        /// The field's bytes, padding and surrounding quotes excluded.
        var range: Range<Int>
        /// Whether the bytes hold doubled quotes that stand for one (only in quoted fields).
        var escaped = false
        /// Bytes in the buffer.
        var count: Int { range.count }
    }

    /// One record (the header or a data row).
    struct Record {
        /// The first fields, at most the `keep` asked for.
        var fields: [Field]
        /// Every field found, kept or not.
        var count: Int
        /// The 1-based file line the record starts on.
        var line: Int
        /// Whether the record is an empty line (skipped between rows).
        var isBlank: Bool
    }

    /// Walks a buffer record by record, counting file lines (line breaks inside quotes included).
    struct RecordCursor {
        let buffer: UnsafeBufferPointer<UInt8>
        var position = 0
        /// The 1-based file line the next record starts on.
        var line = 1

        init(_ buffer: UnsafeBufferPointer<UInt8>) {
            self.buffer = buffer
            // Skip a UTF-8 byte-order mark.
            if buffer.count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
        }

        /// The next record keeping at most `keep` fields, or nil at the end. Throws naming `name` and the line for a
        /// record longer than `DataLimits.maxLineBytes`, an unterminated quote, or text after a closing quote.
        mutating func next(name: String, keep: Int) throws -> Record? {
            guard position < buffer.count else { return nil }
            let n = buffer.count, start = position, startLine = line
            let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
            func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
            func tooLong() -> TrainingError {
                let which = line == startLine ? "line \(startLine):" : "line \(startLine): the record starting there is"
                return TrainingError(.invalidData, "\(name): \(which) longer than \(DataLimits.maxLineBytes) bytes (the limit)")
            }
            var fields: [Field] = []
            var count = 0
            var i = start
            var quoted = false
            while true {
                var lo = i
                while lo < n && isBlank(buffer[lo]) { lo += 1 }
                var field: Field
                if lo < n && buffer[lo] == quote {
                    quoted = true
                    let openLine = line, column = count + 1
                    var j = lo + 1, escaped = false
                    while true {
                        guard j < n else {
                            throw TrainingError(.invalidData, "\(name): line \(openLine), column \(column): unterminated quoted field (no closing \" before the end of the file)")
                        }
                        guard j - start <= DataLimits.maxLineBytes else { throw tooLong() }
                        let b = buffer[j]
                        if b == quote {
                            guard j + 1 < n && buffer[j + 1] == quote else { break }
                            escaped = true
                            j += 2
                            continue
                        }
                        if b == newline { line += 1 }
                        j += 1
                    }
                    field = Field(range: (lo + 1)..<j, escaped: escaped)
                    j += 1
                    while j < n && isBlank(buffer[j]) { j += 1 }
                    if j < n && buffer[j] == cr && (j + 1 == n || buffer[j + 1] == newline) { j += 1 }
                    guard j == n || buffer[j] == comma || buffer[j] == newline else {
                        throw TrainingError(.invalidData, "\(name): line \(line), column \(column): text after the closing quote of a quoted field")
                    }
                    i = j
                } else {
                    var j = lo
                    while j < n && buffer[j] != comma && buffer[j] != newline { j += 1 }
                    guard j - start <= DataLimits.maxLineBytes else { throw tooLong() }
                    var hi = j
                    if hi > lo && buffer[hi - 1] == cr && (j == n || buffer[j] == newline) { hi -= 1 }
                    while hi > lo && isBlank(buffer[hi - 1]) { hi -= 1 }
                    field = Field(range: lo..<hi)
                    i = j
                }
                guard i - start <= DataLimits.maxLineBytes else { throw tooLong() }
                count += 1
                if fields.count < keep { fields.append(field) }
                if i < n && buffer[i] == comma {
                    i += 1
                    continue
                }
                break
            }
            // An empty line (or a lone CR) is blank; padding alone is a one-field record, as before.
            let blank = !quoted && count == 1 && (i == start || (i == start + 1 && buffer[start] == cr))
            if i < n {
                i += 1  // the record's LF
                line += 1
            }
            position = i
            return Record(fields: fields, count: count, line: startLine, isBlank: blank)
        }
    }
}
