extension WireFormat {
    /// Decodes and fully validates a frame (lengths, shapes, limits, padding, every CRC), copying row keys and payloads.
    public static func decode(_ bytes: UnsafeRawBufferPointer, limits: WireLimits = .default) throws(WireError) -> WireFrame {
        let view = try decodeView(bytes, limits: limits)
        return WireFrame(header: view.header, entries: view.entries.map { $0.entry(in: bytes) })
    }

    /// Zero-copy decode: validates everything, CRCs included, and returns offsets into `bytes`, which must hold exactly one frame.
    ///
    /// With `checkingPayloads: false` every entry's data CRC (row keys + payload) is left for the caller, who must move
    /// each payload out with `EntryView.copyPayloadChecked(in:to:)` (one pass that copies and checks) and use nothing
    /// else of an entry's data before that succeeded; every other field is still validated here.
    public static func decodeView(
        _ bytes: UnsafeRawBufferPointer, limits: WireLimits = .default, checkingPayloads: Bool = true
    ) throws(WireError) -> FrameView {
        guard bytes.count >= frameHeaderSize else {
            throw WireError(.truncated, "the buffer holds \(bytes.count) bytes; a frame header needs \(frameHeaderSize)")
        }
        try checkMagicAndVersion(bytes)
        let length = try frameLength(bytes, limits: limits)
        guard length <= bytes.count else {
            throw WireError(.truncated, "the frame announces \(length) bytes but the buffer holds only \(bytes.count)")
        }
        guard length == bytes.count else {
            throw WireError(.badLength, "the buffer holds \(bytes.count) bytes but the frame is \(length) bytes long")
        }
        let header = try decodeFrameHeader(bytes, frameLength: length, limits: limits)
        let entryCount = Int(bytes.loadLE(32, as: UInt32.self))
        guard entryCount <= limits.maxEntries else {
            throw WireError(.limitExceeded, "the frame announces \(entryCount) entries, more than the limit of \(limits.maxEntries)")
        }
        var cursor = WireLayout.entriesStart(messageLength: header.messageLength)!  // message ≤ 4 GiB: no overflow
        guard entryCount <= (length - cursor) / WireLayout.entryFixedSize else {
            throw WireError(.truncated, "the frame announces \(entryCount) entries but its \(length) bytes cannot hold that many")
        }
        var entries: [EntryView] = []
        entries.reserveCapacity(entryCount)
        for i in 0..<entryCount {
            let (view, end) = try decodeEntry(bytes, index: i, at: cursor, frameLength: length, limits: limits, checkingPayload: checkingPayloads)
            entries.append(view)
            cursor = end
        }
        guard cursor == length else {
            throw WireError(.badLength, "the frame is \(length) bytes long but its \(entryCount) entries end at byte \(cursor)")
        }
        return FrameView(header: header.header, entries: entries)
    }

    /// Validates the frame header and message (the buffer is exactly `frameLength` ≥ 64 bytes).
    private static func decodeFrameHeader(
        _ bytes: UnsafeRawBufferPointer, frameLength: Int, limits: WireLimits
    ) throws(WireError) -> (header: FrameHeader, messageLength: Int) {
        let messageLength = Int(bytes.loadLE(36, as: UInt32.self))
        guard messageLength <= min(limits.maxMessageBytes, maxMessageBytes) else {
            throw WireError(.limitExceeded, "the message is \(messageLength) bytes, more than the limit of \(min(limits.maxMessageBytes, maxMessageBytes))")
        }
        let messageEnd = frameHeaderSize + messageLength
        let entriesStart = WireLayout.entriesStart(messageLength: messageLength)!
        guard entriesStart <= frameLength else {
            throw WireError(.truncated, "the \(messageLength)-byte message runs past the end of the \(frameLength)-byte frame")
        }
        let stored = bytes.loadLE(WireLayout.headerCRCOffset, as: UInt32.self)
        let computed = frameHeaderCRC(bytes, messageLength: messageLength)
        guard stored == computed else {
            throw WireError(.checksumMismatch, "frame header CRC32C is \(hex32(stored)) but the header and message hash to \(hex32(computed))")
        }
        guard let kind = FrameKind(rawValue: bytes[6]) else {
            throw WireError(.badFrameKind, "frame kind \(bytes[6]) is not one of 1 (pullRequest) … 7 (pushPullResponse)")
        }
        guard bytes[7] == 0 else {
            throw WireError(.badFlags, "frame flags 0x\(hex(bytes[7])) use undefined bits")
        }
        guard bytes.isZero(48..<60), bytes.isZero(messageEnd..<entriesStart) else {
            throw WireError(.badPadding, "the frame header's reserved bytes or the message padding are not zero")
        }
        guard let message = String(validating: bytes.slice(frameHeaderSize..<messageEnd), as: UTF8.self) else {
            throw WireError(.badUTF8, "the frame message is not valid UTF-8")
        }
        let header = FrameHeader(
            kind: kind, requestID: bytes.loadLE(8, as: UInt64.self), jobID: bytes.loadLE(16, as: UInt64.self),
            senderID: bytes.loadLE(24, as: UInt32.self), status: bytes.loadLE(28, as: UInt32.self), message: message)
        return (header, messageLength)
    }

    /// Validates entry `index` starting at `start`; returns its view and the next entry's start.
    private static func decodeEntry(
        _ bytes: UnsafeRawBufferPointer, index: Int, at start: Int, frameLength: Int, limits: WireLimits, checkingPayload: Bool
    ) throws(WireError) -> (EntryView, Int) {
        guard frameLength - start >= WireLayout.entryFixedSize else {
            throw WireError(.truncated, "entry \(index): its header at byte \(start) runs past the end of the \(frameLength)-byte frame")
        }
        let variableID = bytes.loadLE(start, as: UInt32.self)
        let who = "entry \(index) (variable \(variableID))"
        let rank = Int(bytes[start + 18])
        guard rank <= limits.maxRank else {
            throw WireError(.limitExceeded, "\(who): rank \(rank) exceeds the limit of \(limits.maxRank)")
        }
        let headerEnd = start + WireLayout.entryFixedSize + 8 * rank
        guard headerEnd <= frameLength else {
            throw WireError(.truncated, "\(who): the \(rank) dimensions run past the end of the \(frameLength)-byte frame")
        }
        let stored = bytes.loadLE(start + WireLayout.headerCRCOffset, as: UInt32.self)
        let computed = entryHeaderCRC(bytes, start, headerEnd)
        guard stored == computed else {
            throw WireError(.checksumMismatch, "\(who): header CRC32C is \(hex32(stored)) but the header hashes to \(hex32(computed))")
        }
        guard let encoding = EntryEncoding(rawValue: bytes[start + 16]) else {
            throw WireError(.badEncoding, "\(who): encoding \(bytes[start + 16]) is not 0 (dense) or 1 (sparse rows)")
        }
        guard let dtype = DType(rawValue: bytes[start + 17]) else {
            throw WireError(.badDType, "\(who): dtype \(bytes[start + 17]) is not one of 1 (f32) … 7 (u8)")
        }
        guard bytes.isZero(start + 20..<start + 24), bytes.isZero(start + 52..<start + 60) else {
            throw WireError(.badPadding, "\(who): reserved header bytes are not zero")
        }
        let rawRows = bytes.loadLE(start + 24, as: UInt64.self)
        let rawLength = bytes.loadLE(start + 32, as: UInt64.self)
        let rawOffset = bytes.loadLE(start + 44, as: UInt64.self)
        guard let rowCount = Int(exactly: rawRows), let payloadLength = Int(exactly: rawLength), let rowOffset = Int(exactly: rawOffset) else {
            throw WireError(.limitExceeded, "\(who): \(rawRows) row keys, \(rawLength) payload bytes or row offset \(rawOffset) do not fit in an Int")
        }
        var dims: [Int] = []
        dims.reserveCapacity(rank)
        for k in 0..<rank {
            dims.append(Int(bytes.loadLE(start + WireLayout.entryFixedSize + 8 * k, as: Int64.self)))
        }
        let header = EntryHeader(
            variableID: variableID, partition: bytes.loadLE(start + 4, as: UInt32.self),
            version: bytes.loadLE(start + 8, as: UInt64.self), encoding: encoding, dtype: dtype, shape: Shape(dims),
            flags: EntryFlags(rawValue: bytes[start + 19]), rowCount: rowCount, payloadLength: payloadLength, rowOffset: rowOffset)
        try header.validate(index: index, limits: limits)
        guard
            let layout = WireLayout.entry(at: start, rank: rank, rowCount: rowCount, payloadLength: payloadLength),
            layout.end <= frameLength
        else {
            throw WireError(
                .truncated,
                "\(who): \(rowCount) row keys and \(payloadLength) payload bytes run past the end of the \(frameLength)-byte frame")
        }
        let keysEnd = layout.rowKeysOffset + layout.rowKeysLength
        let payloadEnd = layout.payloadOffset + payloadLength
        guard bytes.isZero(headerEnd..<layout.rowKeysOffset), bytes.isZero(keysEnd..<layout.payloadOffset),
            bytes.isZero(payloadEnd..<layout.end)
        else {
            throw WireError(.badPadding, "\(who): padding bytes are not zero")
        }
        let storedData = bytes.loadLE(start + 40, as: UInt32.self)
        let entry = EntryView(
            header: header, rowKeysOffset: layout.rowKeysOffset, payloadOffset: layout.payloadOffset, index: index, dataCRC: storedData)
        if checkingPayload {
            var data = CRC32C.checksum(bytes.slice(layout.rowKeysOffset..<keysEnd))
            data = CRC32C.checksum(bytes.slice(layout.payloadOffset..<payloadEnd), seed: data)
            guard storedData == data else { throw entry.dataMismatch(data) }
        }
        return (entry, layout.end)
    }

    /// "0x1234abcd".
    static func hex32(_ value: UInt32) -> String {
        let s = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - s.count) + s
    }
}
