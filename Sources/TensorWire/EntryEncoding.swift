/// How an entry's payload maps onto its shape; byte 16 of the entry header.
public enum EntryEncoding: UInt8, Sendable, Hashable, CaseIterable {
    /// The payload holds every element of `shape`, row-major.
    case dense = 0
    /// The payload holds `rowCount` rows of `shape.rowWidth` elements, one per row key.
    case sparseRows = 1
}
