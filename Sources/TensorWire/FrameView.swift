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

    /// The entry's position in its frame (for messages).
    public var index: Int
    /// The data CRC32C the entry header carries (row keys, then payload).
    public var dataCRC: UInt32

    /// Creates an entry view.
    public init(header: EntryHeader, rowKeysOffset: Int, payloadOffset: Int, index: Int = 0, dataCRC: UInt32 = 0) {
        self.header = header
        self.rowKeysOffset = rowKeysOffset
        self.payloadOffset = payloadOffset
        self.index = index
        self.dataCRC = dataCRC
    }

    /// Copies the payload out of `frame` into `destination` (exactly `payloadLength` bytes) while checksumming it, and
    /// throws `checksumMismatch` when the row keys and payload do not hash to `dataCRC`: the check a view decoded with
    /// `checkingPayloads: false` skipped, in the same pass as the copy. On a throw `destination` holds unchecked bytes.
    public func copyPayloadChecked(in frame: UnsafeRawBufferPointer, to destination: UnsafeMutableRawBufferPointer) throws(WireError) {
        guard destination.count == header.payloadLength else {
            throw WireError(.badLength, "entry \(index) (variable \(header.variableID)): \(header.payloadLength) payload bytes do not fit a destination of \(destination.count)")
        }
        let keys = CRC32C.checksum(rowKeyBytes(in: frame))
        let data = CRC32C.copy(payload(in: frame), to: destination, seed: keys)
        guard data == dataCRC else { throw dataMismatch(data) }
    }

    /// The error for row keys and payload that hash to `computed` instead of `dataCRC`.
    func dataMismatch(_ computed: UInt32) -> WireError {
        WireError(
            .checksumMismatch,
            "entry \(index) (variable \(header.variableID)): data CRC32C is \(WireFormat.hex32(dataCRC)) but the row keys and payload hash to \(WireFormat.hex32(computed))")
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
