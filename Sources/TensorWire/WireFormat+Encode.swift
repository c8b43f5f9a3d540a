extension WireFormat {
    /// Zero-copy encode: writes the headers, calls `payload(i, dest)` so the caller copies entry i's row keys and payload straight into the frame, then computes the CRCs; returns the frame length.
    ///
    /// `buffer` must be at least `encodedSize(header:entries:)` bytes and 8-byte aligned. Every
    /// entry is validated first (`WireError`); errors thrown by `payload` are rethrown as they are.
    /// Messages longer than 4096 UTF-8 bytes are truncated on a character boundary.
    public static func encode(
        header: FrameHeader, entries: [EntryHeader], into buffer: UnsafeMutableRawBufferPointer,
        payload: (Int, EntryDestination) throws -> Void
    ) throws -> Int {
        let message = header.wireMessage
        guard entries.count <= Int(UInt32.max) else {
            throw WireError(.limitExceeded, "\(entries.count) entries do not fit the 32-bit entry count")
        }
        guard var cursor = WireLayout.entriesStart(messageLength: message.count) else {
            throw WireError(.limitExceeded, "the frame does not fit in memory")
        }
        var layouts: [WireLayout.Entry] = []
        layouts.reserveCapacity(entries.count)
        for (i, entry) in entries.enumerated() {
            try entry.validate(index: i, limits: .encoder)
            guard
                let layout = WireLayout.entry(
                    at: cursor, rank: entry.shape.rank, rowCount: entry.rowCount, payloadLength: entry.payloadLength)
            else {
                throw WireError(.limitExceeded, "entry \(i) (variable \(entry.variableID)): the frame does not fit in memory")
            }
            layouts.append(layout)
            cursor = layout.end
        }
        let total = cursor
        guard buffer.count >= total, let base = buffer.baseAddress else {
            throw WireError(.bufferTooSmall, "the frame needs \(total) bytes but the buffer holds \(buffer.count)")
        }
        guard Int(bitPattern: base) & 7 == 0 else {
            throw WireError(.misaligned, "the encode buffer must be 8-byte aligned for row keys; it starts at \(base)")
        }
        let out = UnsafeMutableRawBufferPointer(start: base, count: total)

        // Frame header and message.
        let entriesStart = layouts.first?.start ?? total
        out.zero(0..<entriesStart)
        for (i, b) in magic.enumerated() { out[i] = b }
        out.storeLE(version, at: 4)
        out[6] = header.kind.rawValue
        out[7] = 0
        out.storeLE(header.requestID, at: 8)
        out.storeLE(header.jobID, at: 16)
        out.storeLE(header.senderID, at: 24)
        out.storeLE(header.status, at: 28)
        out.storeLE(UInt32(entries.count), at: 32)
        out.storeLE(UInt32(message.count), at: 36)
        out.storeLE(UInt64(total), at: 40)
        if !message.isEmpty {
            message.withUnsafeBytes { (base + frameHeaderSize).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }

        // Entry headers, padding, then the caller's row keys and payloads; then each entry's CRCs: data (taken from
        // `copyPayload` when the writer used it and the row keys did not change after), then the header, which covers it.
        let view = UnsafeRawBufferPointer(out)
        let checksum = DataChecksum()
        for (i, (entry, layout)) in zip(entries, layouts).enumerated() {
            writeEntryHeader(entry, layout: layout, into: out)
            out.zero(layout.rowKeysOffset + layout.rowKeysLength..<layout.payloadOffset)
            out.zero(layout.payloadOffset + layout.payloadLength..<layout.end)
            let keys = UnsafeMutableRawPointer(base + layout.rowKeysOffset).bindMemory(to: Int64.self, capacity: entry.rowCount)
            let destination = EntryDestination(
                rowKeys: UnsafeMutableBufferPointer(start: keys, count: entry.rowCount),
                payload: UnsafeMutableRawBufferPointer(start: base + layout.payloadOffset, count: layout.payloadLength),
                checksum: checksum)
            checksum.reset()
            try payload(i, destination)
            let keysCRC = CRC32C.checksum(view.slice(layout.rowKeysOffset..<layout.rowKeysOffset + layout.rowKeysLength))
            let crc: UInt32
            if let copied = checksum.data, checksum.rowKeys == keysCRC {
                crc = copied
            } else {
                crc = CRC32C.checksum(view.slice(layout.payloadOffset..<layout.payloadOffset + layout.payloadLength), seed: keysCRC)
            }
            out.storeLE(crc, at: layout.start + 40)
            out.storeLE(entryHeaderCRC(view, layout.start, layout.headerEnd), at: layout.start + WireLayout.headerCRCOffset)
        }
        out.storeLE(frameHeaderCRC(view, messageLength: message.count), at: WireLayout.headerCRCOffset)
        return total
    }

    /// Encodes an owning frame into `buffer`; returns the frame length. Row key and payload counts must match the entry headers.
    public static func encode(_ frame: WireFrame, into buffer: UnsafeMutableRawBufferPointer) throws(WireError) -> Int {
        for (i, entry) in frame.entries.enumerated() {
            let who = "entry \(i) (variable \(entry.header.variableID))"
            guard entry.rowKeys.count == entry.header.rowCount else {
                throw WireError(.badLength, "\(who): holds \(entry.rowKeys.count) row keys but its header says \(entry.header.rowCount)")
            }
            guard entry.payload.count == entry.header.payloadLength else {
                throw WireError(.badLength, "\(who): holds \(entry.payload.count) payload bytes but its header says \(entry.header.payloadLength)")
            }
        }
        do {
            return try encode(header: frame.header, entries: frame.entries.map(\.header), into: buffer) { i, dest in
                let entry = frame.entries[i]
                _ = entry.rowKeys.withUnsafeBufferPointer { dest.rowKeys.initialize(fromContentsOf: $0) }
                entry.payload.withUnsafeBytes { src in
                    if let d = dest.payload.baseAddress, let s = src.baseAddress { d.copyMemory(from: s, byteCount: src.count) }
                }
            }
        } catch let error as WireError {
            throw error
        } catch {
            throw WireError(.badLength, "unexpected error while encoding: \(error)")
        }
    }

    /// Encodes an owning frame into a new array; use `encodeChecked` to get invalid entries as an error instead of a trap.
    public static func encode(_ frame: WireFrame) -> [UInt8] {
        do {
            return try encodeChecked(frame)
        } catch {
            preconditionFailure("WireFormat.encode: invalid frame: \(error)")
        }
    }

    /// Encodes an owning frame into a new array, throwing when an entry is inconsistent.
    public static func encodeChecked(_ frame: WireFrame) throws(WireError) -> [UInt8] {
        let size = encodedSize(header: frame.header, entries: frame.entries.map(\.header))
        guard size < Int.max else { throw WireError(.limitExceeded, "the frame does not fit in memory") }
        var failure: WireError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            let raw = UnsafeMutableRawBufferPointer(buffer)
            do throws(WireError) {
                if let base = raw.baseAddress, Int(bitPattern: base) & 7 != 0 {
                    // Arrays are 16-byte aligned in practice; this path only keeps the function total.
                    let aligned = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
                    defer { aligned.deallocate() }
                    count = try encode(frame, into: aligned)
                    raw.copyMemory(from: UnsafeRawBufferPointer(aligned))
                } else {
                    count = try encode(frame, into: raw)
                }
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Writes the fixed part, dims and header padding of an entry (CRC fields 0 for now).
    private static func writeEntryHeader(_ entry: EntryHeader, layout: WireLayout.Entry, into out: UnsafeMutableRawBufferPointer) {
        let s = layout.start
        out.zero(s..<layout.rowKeysOffset)
        out.storeLE(entry.variableID, at: s)
        out.storeLE(entry.partition, at: s + 4)
        out.storeLE(entry.version, at: s + 8)
        out[s + 16] = entry.encoding.rawValue
        out[s + 17] = entry.dtype.rawValue
        out[s + 18] = UInt8(entry.shape.rank)
        out[s + 19] = entry.flags.rawValue
        out.storeLE(UInt64(entry.rowCount), at: s + 24)
        out.storeLE(UInt64(entry.payloadLength), at: s + 32)
        out.storeLE(UInt64(entry.rowOffset), at: s + 44)
        for (k, d) in entry.shape.dims.enumerated() {
            out.storeLE(Int64(d), at: s + WireLayout.entryFixedSize + 8 * k)
        }
    }

    /// CRC32C of an entry header's bytes 0..<60 followed by its dims.
    static func entryHeaderCRC(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ headerEnd: Int) -> UInt32 {
        let fixed = CRC32C.checksum(bytes.slice(start..<start + WireLayout.headerCRCOffset))
        return CRC32C.checksum(bytes.slice(start + WireLayout.entryFixedSize..<headerEnd), seed: fixed)
    }

    /// CRC32C of the frame header's bytes 0..<60 followed by the message bytes.
    static func frameHeaderCRC(_ bytes: UnsafeRawBufferPointer, messageLength: Int) -> UInt32 {
        let fixed = CRC32C.checksum(bytes.slice(0..<WireLayout.headerCRCOffset))
        return CRC32C.checksum(bytes.slice(frameHeaderSize..<frameHeaderSize + messageLength), seed: fixed)
    }
}
