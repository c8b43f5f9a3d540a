import TensorWire

/// A batch rewritten for a compact sparse step: per table, the distinct keys its id columns touch (first-appearance
/// order), and the features with each id replaced by the index of its key in that list, so layers index a compact
/// `[k, width]` table exactly as they would index the full one.
public struct CompactBatch: Sendable {
    /// The batch with remapped id columns (other columns and labels unchanged).
    public let batch: Batch
    /// Per table (in `tables` order), the distinct keys touched; compact row j holds key `keys[t][j]`.
    public let keys: [[Int64]]

    /// Remaps `batch` for `tables`; an id that is not a whole number in 0..<idsPerColumn is `invalidData` naming the table and row.
    public init(_ batch: Batch, tables: [SparseTable]) throws {
        let features = try Self.remap(batch.features, tables: tables)
        self.batch = Batch(uncheckedFeatures: features.remapped, labels: batch.labels)
        self.keys = features.keys
    }

    /// Rows in the batch.
    public var count: Int { batch.count }

    /// A copy of `features` with the ids of `tables` replaced by compact indices, and the keys per table.
    public static func remap(_ features: Tensor, tables: [SparseTable]) throws -> (remapped: Tensor, keys: [[Int64]]) {
        let out = Tensor(zeros: features.shape)
        try out.copy(from: features)
        let n = features.rows, w = features.columns, x = features.baseAddress, y = out.baseAddress
        var keys: [[Int64]] = []
        for table in tables {
            guard table.idColumns.count == table.keyOffsets.count, table.idColumns.allSatisfy({ $0 >= 0 && $0 < w }) else {
                throw TrainingError(.invalidConfiguration, "\(table.name): id columns \(table.idColumns) do not fit input rows of width \(w)")
            }
            var index: [Int64: Int] = [:]
            var list: [Int64] = []
            index.reserveCapacity(min(n * table.idColumns.count, 4096))
            for r in 0..<n {
                for (column, offset) in zip(table.idColumns, table.keyOffsets) {
                    let value = x[r * w + column], rounded = value.rounded()
                    guard rounded >= 0, rounded < Float(table.idsPerColumn) else {
                        throw TrainingError(.invalidData, "\(table.name): id \(value) in batch row \(r) is outside 0..<\(table.idsPerColumn)")
                    }
                    let key = offset + Int64(rounded)
                    let j: Int
                    if let known = index[key] { j = known } else {
                        j = list.count
                        index[key] = j
                        list.append(key)
                    }
                    y[r * w + column] = Float(j)
                }
            }
            keys.append(list)
        }
        return (out, keys)
    }

    /// Compact tables `[keys[t].count, rowWidth]` filled from full local tables (row = key): the in-process stand-in for a sparse pull.
    public func gather(from full: ParameterSet, tables: [SparseTable]) throws -> [Tensor] {
        try zip(tables, keys).map { table, keys in
            let source = full.tensors[table.variableIndex], d = table.rowWidth
            let rows = Tensor(zeros: Shape([keys.count, d]))
            for (j, key) in keys.enumerated() {
                guard key >= 0, Int(key) < source.rows else {
                    throw TrainingError(.invalidData, "\(table.name): key \(key) is outside the local table of \(source.rows) rows")
                }
                (rows.baseAddress + j * d).update(from: source.baseAddress + Int(key) * d, count: d)
            }
            return rows
        }
    }

    /// `set` with the variables of `tables` replaced by `rows` (no copies).
    public static func substitute(_ rows: [Tensor], tables: [SparseTable], in set: ParameterSet) -> ParameterSet {
        var replacements: [Int: Tensor] = [:]
        for (table, tensor) in zip(tables, rows) { replacements[table.variableIndex] = tensor }
        return set.replacing(replacements)
    }
}
