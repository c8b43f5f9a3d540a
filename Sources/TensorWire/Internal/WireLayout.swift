/// Byte offsets of the frame's parts, computed with overflow checks (nil = does not fit in an Int).
enum WireLayout {
    /// Payloads, row keys and entry headers start on multiples of this many bytes.
    static let alignment = 64
    /// Size of the fixed frame header.
    static let frameHeaderSize = 64
    /// Size of the fixed part of an entry header (the dims follow).
    static let entryFixedSize = 64
    /// Offset of the header CRC inside both fixed headers.
    static let headerCRCOffset = 60

    /// Where one entry's parts lie, relative to the frame start.
    struct Entry {
        /// First byte of the entry header.
        var start: Int
        /// End of the entry header's dims (before padding).
        var headerEnd: Int
        /// First row key (64-aligned).
        var rowKeysOffset: Int
        /// Bytes of row keys (rowCount × 8).
        var rowKeysLength: Int
        /// First payload byte (64-aligned).
        var payloadOffset: Int
        /// Bytes of payload.
        var payloadLength: Int
        /// One past the entry's trailing padding (64-aligned): the next entry's start.
        var end: Int
    }

    /// `n` rounded up to a multiple of 64, or nil on overflow.
    static func align(_ n: Int) -> Int? {
        let (s, o) = n.addingReportingOverflow(alignment - 1)
        return o ? nil : s & ~(alignment - 1)
    }

    /// Checked sum.
    static func add(_ a: Int, _ b: Int) -> Int? {
        let (s, o) = a.addingReportingOverflow(b)
        return o ? nil : s
    }

    /// Start of the first entry for a message of `messageLength` bytes.
    static func entriesStart(messageLength: Int) -> Int? {
        add(frameHeaderSize, messageLength).flatMap(align)
    }

    /// Layout of an entry starting at `start` (64-aligned) with the given rank and lengths (all non-negative).
    static func entry(at start: Int, rank: Int, rowCount: Int, payloadLength: Int) -> Entry? {
        let (keyBytes, o) = rowCount.multipliedReportingOverflow(by: 8)
        guard !o,
            let headerEnd = add(start, entryFixedSize + 8 * rank),
            let rowKeysOffset = align(headerEnd),
            let keysEnd = add(rowKeysOffset, keyBytes),
            let payloadOffset = align(keysEnd),
            let payloadEnd = add(payloadOffset, payloadLength),
            let end = align(payloadEnd)
        else { return nil }
        return Entry(
            start: start, headerEnd: headerEnd, rowKeysOffset: rowKeysOffset, rowKeysLength: keyBytes,
            payloadOffset: payloadOffset, payloadLength: payloadLength, end: end)
    }
}
