/// Per-entry flag bits; byte 19 of the entry header.
public struct EntryFlags: OptionSet, Sendable, Hashable {
    /// The raw flag byte.
    public let rawValue: UInt8

    /// Creates flags from the raw byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The entry names a tensor (and, for sparse rows, its row keys) but carries no values:
    /// `payloadLength` is 0 whatever the shape. Used by pull requests and push responses.
    public static let noPayload = EntryFlags(rawValue: 1 << 0)

    /// The dense entry is a row range (chunk) of its partition: rows `rowOffset ..< rowOffset + shape.dims[0]`.
    /// Without it a dense entry is the whole partition, so a wrong shape stays an error rather than a chunk.
    public static let rowRange = EntryFlags(rawValue: 1 << 1)

    /// A sparse-rows pull request entry that reads without creating: a row the shard does not hold is answered with
    /// the values it would be created with (its initializer's, seeded by its key), and is not created. Serving
    /// replicas pull this way, so predictions never grow a shard's tables. Only on value-less sparse-rows entries;
    /// a shard older than the flag refuses the frame (undefined bits) rather than creating the rows.
    public static let existingRowsOnly = EntryFlags(rawValue: 1 << 2)

    /// Every bit this format version defines.
    public static let all: EntryFlags = [.noPayload, .rowRange, .existingRowsOnly]
}
