/// Renders `(header, rows)` as an aligned plain-text table, the way etcdctl and kubectl print lists.
public struct TableRenderer: Sendable {
    /// Column titles.
    public var header: [String]
    /// One array of cells per row.
    public var rows: [[String]]

    /// Creates a table.
    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// The width of each column: its widest cell, header included.
    public var columnWidths: [Int] {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], cell.count)
            }
        }
        return widths
    }

    /// The table as text, columns separated by two spaces, one line per row.
    public func render() -> String {
        let widths = columnWidths
        return ([Self.line(header, widths: widths)] + rows.map { Self.line($0, widths: widths) }).joined(separator: "\n")
    }

    /// One line of cells padded to `widths` (a cell wider than its column pushes the rest right; the last cell is
    /// not padded), as `jobs --watch` prints each changed row under the first table's header.
    public static func line(_ cells: [String], widths: [Int]) -> String {
        var out = ""
        for (i, cell) in cells.enumerated() {
            let isLast = i == cells.count - 1
            let width = i < widths.count ? widths[i] : cell.count
            out += isLast ? cell : cell + String(repeating: " ", count: max(0, width - cell.count) + 2)
        }
        return out
    }
}
