import Testing
import TensorWire

/// Copy-and-checksum in one pass (`CRC32C.copy`, `EntryDestination.copyPayload`, `EntryView.copyPayloadChecked`) gives
/// exactly the bytes and checks of the two-pass path.
@Suite("Fused copy and checksum")
struct FusedChecksumTests {
    /// Deterministic bytes of any length.
    func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    @Test("CRC32C.copy copies exactly and equals checksum after memcpy, at every length and alignment")
    func copyMatchesChecksum() {
        // Around the 3 × 256 and 3 × 8192 block sizes of the interleaved loop, and odd lengths and offsets.
        let lengths = [0, 1, 7, 8, 9, 63, 767, 768, 769, 24_575, 24_576, 24_577, 100_003, 1 << 20]
        for length in lengths {
            for offset in [0, 1, 3, 8] {
                let source = bytes(length + offset, seed: UInt64(length * 31 + offset))
                var destination = [UInt8](repeating: 0xAA, count: length + 16)
                let crc = source.withUnsafeBytes { src in
                    destination.withUnsafeMutableBytes { dst in
                        CRC32C.copy(UnsafeRawBufferPointer(rebasing: src[offset...]), to: UnsafeMutableRawBufferPointer(rebasing: dst[5..<(5 + length)]), seed: 0x1234)
                    }
                }
                let expected = source.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[offset...]), seed: 0x1234) }
                #expect(crc == expected, "length \(length), offset \(offset)")
                #expect(Array(destination[5..<(5 + length)]) == Array(source[offset...]), "length \(length), offset \(offset)")
                #expect(destination[0..<5].allSatisfy { $0 == 0xAA } && destination[(5 + length)...].allSatisfy { $0 == 0xAA })
            }
        }
    }

    /// Encodes one sparse f32 entry (3 row keys) with `write` filling it.
    func encode(_ write: (EntryDestination, UnsafeRawBufferPointer) -> Void) throws -> [UInt8] {
        let header = FrameHeader(kind: .pushRequest, requestID: 1, jobID: 2, senderID: 3)
        let entries: [EntryHeader] = [
            .dense(variableID: 1, partition: 0, version: 9, dtype: .f32, shape: Shape([1000, 25])),
            .sparse(variableID: 2, partition: 0, version: 9, dtype: .f32, shape: Shape([100, 2]), rowCount: 3),
        ]
        let payloads = [bytes(100_000, seed: 1), bytes(24, seed: 2)]
        let size = WireFormat.encodedSize(header: header, entries: entries)
        return try [UInt8](unsafeUninitializedCapacity: size) { out, count in
            count = try WireFormat.encode(header: header, entries: entries, into: UnsafeMutableRawBufferPointer(out)) { i, destination in
                payloads[i].withUnsafeBytes { write(destination, $0) }
            }
        }
    }

    @Test("copyPayload encodes the same frame as copying by hand, whatever order the row keys are written in")
    func copyPayloadEncodesTheSameFrame() throws {
        let byHand = try encode { destination, payload in
            for k in destination.rowKeys.indices { destination.rowKeys[k] = Int64(k * 7) }
            destination.payload.copyMemory(from: payload)
        }
        let fused = try encode { destination, payload in
            for k in destination.rowKeys.indices { destination.rowKeys[k] = Int64(k * 7) }
            destination.copyPayload(from: payload)
        }
        // Row keys written after the payload (against the advice): the encoder notices and checksums again.
        let keysLast = try encode { destination, payload in
            destination.copyPayload(from: payload)
            for k in destination.rowKeys.indices { destination.rowKeys[k] = Int64(k * 7) }
        }
        #expect(fused == byHand)
        #expect(keysLast == byHand)
        #expect(throws: Never.self) { try fused.withUnsafeBytes { try WireFormat.decode($0) } }
    }

    @Test("a deferred payload check copies what a full decode gives, and catches a flipped payload or row-key bit")
    func deferredCheckCatchesCorruption() throws {
        let frame = try encode { destination, payload in
            for k in destination.rowKeys.indices { destination.rowKeys[k] = Int64(k * 7) }
            destination.copyPayload(from: payload)
        }
        let full = try frame.withUnsafeBytes { try WireFormat.decode($0) }
        try frame.withUnsafeBytes { raw in
            let view = try WireFormat.decodeView(raw, checkingPayloads: false)
            for (entry, expected) in zip(view.entries, full.entries) {
                var copy = [UInt8](repeating: 0, count: entry.header.payloadLength)
                try copy.withUnsafeMutableBytes { try entry.copyPayloadChecked(in: raw, to: $0) }
                #expect(copy == expected.payload)
            }
        }

        let view = try frame.withUnsafeBytes { try WireFormat.decodeView($0, checkingPayloads: false) }
        for (name, offset) in [("payload", view.entries[0].payloadOffset + 50_000), ("row key", view.entries[1].rowKeysOffset + 9)] {
            var corrupt = frame
            corrupt[offset] ^= 0x10
            // A full decode refuses it; the deferred decode accepts the headers and the checked copy refuses the data.
            #expect(decodeError(corrupt)?.code == .checksumMismatch, "\(name)")
            try corrupt.withUnsafeBytes { raw in
                let deferred = try WireFormat.decodeView(raw, checkingPayloads: false)
                let entry = deferred.entries[name == "payload" ? 0 : 1]
                var copy = [UInt8](repeating: 0, count: entry.header.payloadLength)
                let error = #expect(throws: WireError.self) { try copy.withUnsafeMutableBytes { try entry.copyPayloadChecked(in: raw, to: $0) } }
                #expect(error?.code == .checksumMismatch, "\(name)")
                #expect(error?.message.contains("entry \(entry.index) (variable \(entry.header.variableID))") == true, "\(name): \(error?.message ?? "")")
            }
        }

        // A destination of the wrong size is refused before anything is copied.
        try frame.withUnsafeBytes { raw in
            let entry = try WireFormat.decodeView(raw, checkingPayloads: false).entries[1]
            var small = [UInt8](repeating: 0, count: 8)
            #expect(throws: WireError.self) { try small.withUnsafeMutableBytes { try entry.copyPayloadChecked(in: raw, to: $0) } }
            #expect(small == [UInt8](repeating: 0, count: 8))
        }
    }
}
