/// A validated frame that still lives in the caller's buffer: headers decoded, payloads referenced by offset.
public struct FrameView: Sendable {
    /// The frame-level fields.
    public var header: FrameHeader
    /// The entries, in wire order.
    public var entries: [EntryView]

    /// Creates a view (normally made by `WireFormat.decodeView`).
    public init(header: FrameHeader, entries: [EntryView]) {
        self.header = header
        self.entries = entries
    }
}

/// One entry of a `FrameView`: its header and where its row keys and payload start in the decoded buffer.
public struct EntryView: Sendable {
    /// The entry's decoded header (`rowCount` keys, `payloadLength` bytes).
    public var header: EntryHeader
    /// Byte offset of the first row key (64-aligned relative to the frame start).
    public var rowKeysOffset: Int
    /// Byte offset of the payload (64-aligned relative to the frame start).
    public var payloadOffset: Int

    /// Creates an entry view.
    public init(header: EntryHeader, rowKeysOffset: Int, payloadOffset: Int) {
        self.header = header
        self.rowKeysOffset = rowKeysOffset
        self.payloadOffset = payloadOffset
    }

    /// The payload bytes inside `frame`, the buffer this view was decoded from.
    public func payload(in frame: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        frame.slice(payloadOffset..<payloadOffset + header.payloadLength)
    }

    /// The raw little-endian row-key bytes inside `frame` (rowCount × 8).
    public func rowKeyBytes(in frame: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        frame.slice(rowKeysOffset..<rowKeysOffset + header.rowCount * 8)
    }

    /// Row key `i` (0 ..< rowCount) read from `frame`.
    public func rowKey(_ i: Int, in frame: UnsafeRawBufferPointer) -> Int64 {
        frame.loadLE(rowKeysOffset + 8 * i, as: Int64.self)
    }

    /// The row keys copied out of `frame`.
    public func rowKeys(in frame: UnsafeRawBufferPointer) -> [Int64] {
        let source = rowKeyBytes(in: frame)
        return [Int64](unsafeUninitializedCapacity: header.rowCount) { buffer, count in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            count = header.rowCount
        }
    }

    /// An owning copy of the entry.
    public func entry(in frame: UnsafeRawBufferPointer) -> WireEntry {
        WireEntry(header: header, rowKeys: rowKeys(in: frame), payload: Array(payload(in: frame)))
    }

    /// The payload converted to Float (f32, f16, bf16, f64).
    public func floats(in frame: UnsafeRawBufferPointer) throws(WireError) -> [Float] {
        try WireFormat.readFloats(payload(in: frame), dtype: header.dtype)
    }
}
