/// A model variable whose rows are looked up by key from id columns of the input (an embedding table, the wide
/// kernel): the id in input column `idColumns[i]` selects row `keyOffsets[i] + id`. A step needs only the rows its
/// batch touches, so a worker can pull those rows by key instead of the whole table.
///
/// Keys are row indices of the full `[vocabulary, rowWidth]` table, so the full table is a valid local copy.
public struct SparseTable: Sendable, Hashable {
    /// Position of the variable in `Model.variables`.
    public var variableIndex: Int
    /// The variable's name.
    public var name: String
    /// Floats per row.
    public var rowWidth: Int
    /// Rows of the full table (the vocabulary hint).
    public var vocabulary: Int
    /// Input columns holding ids of this table.
    public var idColumns: [Int]
    /// Per id column, the key of its id 0 (columns of the wide kernel own consecutive segments).
    public var keyOffsets: [Int64]
    /// Ids per column: an id must lie in 0..<idsPerColumn.
    public var idsPerColumn: Int

    /// Creates a table description; `keyOffsets` parallels `idColumns`.
    public init(variableIndex: Int, name: String, rowWidth: Int, vocabulary: Int, idColumns: [Int], keyOffsets: [Int64], idsPerColumn: Int) {
        self.variableIndex = variableIndex
        self.name = name
        self.rowWidth = rowWidth
        self.vocabulary = vocabulary
        self.idColumns = idColumns
        self.keyOffsets = keyOffsets
        self.idsPerColumn = idsPerColumn
    }
}
