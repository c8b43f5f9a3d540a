/// Encodes and decodes TensorWire frames; the byte layout is specified in docs/wire-format.md.
public enum WireFormat {
    /// The four bytes every frame starts with: "TSRW".
    public static let magic: [UInt8] = [0x54, 0x53, 0x52, 0x57]
    /// The format version this code writes and reads.
    public static let version: UInt16 = 1
    /// Payloads, row keys and entry headers start on multiples of this many bytes from the frame start.
    public static let alignment = WireLayout.alignment
    /// Size of the fixed frame header; also the smallest possible frame.
    public static let frameHeaderSize = WireLayout.frameHeaderSize
    /// Longest message the format carries; longer messages are truncated on a UTF-8 boundary.
    public static let maxMessageBytes = 4096

    /// Bytes `encode` will write for this header and these entries (`Int.max` if they cannot fit in memory).
    public static func encodedSize(header: FrameHeader, entries: [EntryHeader]) -> Int {
        guard var cursor = WireLayout.entriesStart(messageLength: header.wireMessage.count) else { return Int.max }
        for entry in entries {
            guard
                let layout = WireLayout.entry(
                    at: cursor, rank: entry.shape.rank, rowCount: max(entry.rowCount, 0),
                    payloadLength: max(entry.payloadLength, 0))
            else { return Int.max }
            cursor = layout.end
        }
        return cursor
    }

    /// Reads the total frame length from the first 64 bytes (checking magic, version and limits but not CRCs); nil when fewer than 64 bytes are available.
    public static func peekFrameLength(_ prefix: UnsafeRawBufferPointer, limits: WireLimits = .default) throws(WireError) -> Int? {
        guard prefix.count >= frameHeaderSize else { return nil }
        try checkMagicAndVersion(prefix)
        return try frameLength(prefix, limits: limits)
    }

    /// Throws unless the buffer (at least 64 bytes) starts with the magic and a supported version.
    static func checkMagicAndVersion(_ bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes[0] == magic[0], bytes[1] == magic[1], bytes[2] == magic[2], bytes[3] == magic[3] else {
            let found = (0..<4).map { hex(bytes[$0]) }.joined(separator: " ")
            throw WireError(.badMagic, "the frame starts with \(found), not the magic \"TSRW\" (54 53 52 57)")
        }
        let v = bytes.loadLE(4, as: UInt16.self)
        guard v == version else {
            throw WireError(.unsupportedVersion, "format version \(v) is not supported; this decoder reads version \(version)")
        }
    }

    /// The frame length field, checked against the limits.
    static func frameLength(_ bytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) -> Int {
        let raw = bytes.loadLE(40, as: UInt64.self)
        guard let length = Int(exactly: raw), length <= limits.maxFrameBytes else {
            throw WireError(.limitExceeded, "the frame announces \(raw) bytes, more than the limit of \(limits.maxFrameBytes)")
        }
        guard length >= frameHeaderSize else {
            throw WireError(.badLength, "the frame announces \(length) bytes, less than its 64-byte header")
        }
        return length
    }

    /// Two hex digits.
    static func hex(_ byte: UInt8) -> String {
        let s = String(byte, radix: 16)
        return s.count == 1 ? "0" + s : s
    }
}
