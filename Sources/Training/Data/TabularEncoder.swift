import TensorWire

/// Encodes a text table into model rows `[categorical ids | numeric | wide ids]` (see `TabularColumns`).
///
/// A categorical value v of column c gets id `1 + FNV-1a("c=v") mod (buckets − 1)`; a missing
/// value (`?`, empty or `NA`) gets id 0. A cross `a*b` hashes the joined values and is missing when
/// any part is. A missing numeric cell takes the mean of the column's present values.
public enum TabularEncoder {
    /// True for the cell texts that mean "no value".
    public static func isMissing(_ cell: String) -> Bool { cell.isEmpty || cell == "?" || cell == "NA" }

    /// The id of `value` in column `column` with `buckets` ids (0 when missing).
    public static func bucket(column: String, value: String, buckets: Int) -> Int {
        if isMissing(value) || buckets <= 1 { return 0 }
        return 1 + Int(stableHash("\(column)=\(value)") % UInt64(buckets - 1))
    }

    /// Encodes `table` (from file `name`), reserving the encoded rows against `budget` first; the label column's
    /// text goes to `labels`. Errors name the line and the (spec-given) column, never a cell's text.
    public static func encode(_ table: CSVReader.TextTable, name: String, label: String, columns: TabularColumns,
                              budget: DataBudget = DataBudget()) throws -> (values: [Float], labels: [String], rows: Int, numericMeans: [Float])
    {
        func index(_ column: String) throws -> Int {
            guard let i = table.header.firstIndex(of: column) else {
                throw TrainingError(.invalidData, "\(name): line 1: no column '\(column)' in the header (\(table.header.count) columns)")
            }
            return i
        }
        guard columns.buckets > 1, columns.wideBuckets > 1 else {
            throw TrainingError(.invalidConfiguration, "categorical columns need at least 2 hash buckets")
        }
        let labelIndex = try index(label)
        let categorical = try columns.categorical.map(index)
        let numeric = try columns.numeric.map(index)
        let wide = try columns.wide.map { feature in
            try feature.split(separator: "*").map { try index(String($0).trimmingSpaces) }
        }
        // Numeric columns: parse, remember missing cells, fill them with the mean.
        let n = table.rows.count
        let width = categorical.count + numeric.count + wide.count
        try budget.reserve(n, bytesEach: 4 * (width + 1), for: "\(name): \(n) rows × \(width) encoded features × 4 bytes")
        try budget.check(n, bytesEach: 4 * numeric.count, for: "\(name): \(n) rows × \(numeric.count) numeric columns")
        var numbers = [[Float]](repeating: [Float](repeating: 0, count: n), count: numeric.count)
        var means = [Float](repeating: 0, count: numeric.count)
        for (k, column) in numeric.enumerated() {
            var sum = 0.0, present = 0
            var missing: [Int] = []
            for r in 0..<n {
                let cell = table.rows[r][column]
                if isMissing(cell) { missing.append(r); continue }
                guard let v = Float(cell), v.isFinite else {
                    throw TrainingError(.invalidData,
                                        "\(name): line \(table.lines[r]), column '\(columns.numeric[k])': not a number (\(cell.utf8.count) bytes)")
                }
                numbers[k][r] = v
                sum += Double(v)
                present += 1
            }
            let mean = present > 0 ? Float(sum / Double(present)) : 0
            means[k] = mean
            for r in missing { numbers[k][r] = mean }
        }
        var values = [Float](repeating: 0, count: n * width)
        var labels: [String] = []
        labels.reserveCapacity(n)
        for r in 0..<n {
            let row = table.rows[r]
            values.withUnsafeMutableBufferPointer { out in
                writeRow(into: UnsafeMutableBufferPointer(rebasing: out[(r * width)..<((r + 1) * width)]), columns: columns,
                         categorical: { row[categorical[$0]] }, numeric: { numbers[$0][r] }, wide: { wide[$0].map { row[$0] } })
            }
            labels.append(row[labelIndex])
        }
        return (values, labels, n, means)
    }

    /// Writes one encoded row `[categorical ids | numeric | wide ids]` into `out` (its width): the texts of the
    /// categorical columns by index, the numeric values (missing ones already filled), and each wide feature's parts.
    public static func writeRow(
        into out: UnsafeMutableBufferPointer<Float>, columns: TabularColumns, categorical: (Int) -> String, numeric: (Int) -> Float,
        wide: (Int) -> [String]
    ) {
        var o = 0
        for k in columns.categorical.indices {
            out[o] = Float(bucket(column: columns.categorical[k], value: categorical(k), buckets: columns.buckets))
            o += 1
        }
        for k in columns.numeric.indices {
            out[o] = numeric(k)
            o += 1
        }
        for k in columns.wide.indices {
            let cells = wide(k)
            let value = cells.contains(where: isMissing) ? "" : cells.joined(separator: "\u{1}")
            out[o] = Float(bucket(column: columns.wide[k], value: value, buckets: columns.wideBuckets))
            o += 1
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
