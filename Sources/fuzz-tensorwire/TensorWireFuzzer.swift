import Foundation
import FuzzSupport
import TensorWire

/// One fuzz input through every public TensorWire decoding entry: `decodeView`/`decode` on the raw
/// bytes and on a copy whose CRCs and length were repaired (so mutations reach the checks behind the
/// checksums), every `EntryView`/`WireEntry` accessor of what decodes, `peekFrameLength`, and the
/// safetensors header parser and file reader. Anything that decodes must re-encode to the same bytes, and every
/// CRC32C path (folding, crc32 streams, table; checking and copying) must agree on the input.
enum TensorWireFuzzer {
    /// Fuzz body: returns normally for every input; a trap or failed invariant is a finding.
    static func fuzz(_ input: [UInt8]) {
        exerciseFrame(input)
        if input.count >= WireFormat.frameHeaderSize {
            exerciseFrame(CRCRepair.repaired(input))
        }
        input.withUnsafeBytes { raw in
            _ = try? WireFormat.peekFrameLength(raw)
            _ = try? WireFormat.peekFrameLength(UnsafeRawBufferPointer(rebasing: raw.prefix(64)))
            for dtype in DType.allCases { _ = try? WireFormat.readFloats(raw, dtype: dtype) }
        }
        SafetensorsFuzzer.exercise(input)
        checksumPathsAgree(input)
    }

    /// The input's CRC32C (seeded by its first byte) the same through every path; the copy equal to the input.
    private static func checksumPathsAgree(_ input: [UInt8]) {
        input.withUnsafeBytes { raw in
            let seed = UInt32(input.first ?? 0) &* 0x9E37_79B9
            let table = CRC32C.softwareChecksum(raw, seed: seed)
            var copied = [UInt8](repeating: 0, count: input.count)
            let copy = copied.withUnsafeMutableBytes { CRC32C.copy(raw, to: $0, seed: seed) }
            precondition(CRC32C.checksum(raw, seed: seed) == table && CRC32C.streamsChecksum(raw, seed: seed) == table && copy == table,
                         "CRC32C paths disagree on \(input.count) bytes")
            precondition(copied == input, "CRC32C.copy changed the bytes")
        }
    }

    private static func exerciseFrame(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            let checkedByCopy = deferredChecksPass(raw)
            guard let view = try? WireFormat.decodeView(raw) else {
                precondition(checkedByCopy != true, "the deferred payload checks accepted a frame that decodeView rejects")
                _ = try? WireFormat.decode(raw, limits: WireLimits(maxFrameBytes: 1 << 20, maxEntries: 16, maxRank: 4, maxMessageBytes: 64, maxElementsPerEntry: 1 << 16))
                return
            }
            precondition(checkedByCopy == true, "decodeView accepted a frame whose deferred payload checks fail")
            for entry in view.entries {
                _ = entry.payload(in: raw)
                _ = entry.rowKeys(in: raw)
                if entry.header.rowCount > 0 { _ = entry.rowKey(entry.header.rowCount - 1, in: raw) }
                _ = try? entry.floats(in: raw)
            }
            guard let frame = try? WireFormat.decode(raw) else {
                fatalError("decodeView accepted a frame that decode rejects")
            }
            for entry in frame.entries { _ = try? entry.floats() }
            let again = WireFormat.encode(frame)
            precondition(again == bytes, "a decoded frame did not re-encode to the same \(bytes.count) bytes")
        }
    }

    /// Decodes with `checkingPayloads: false`, then copies every payload out with `copyPayloadChecked`: true when all of
    /// it passes, false when a copy's check fails, nil when the deferred decode itself rejects the frame.
    private static func deferredChecksPass(_ raw: UnsafeRawBufferPointer) -> Bool? {
        guard let view = try? WireFormat.decodeView(raw, checkingPayloads: false) else { return nil }
        for entry in view.entries {
            let destination = UnsafeMutableRawBufferPointer.allocate(byteCount: entry.header.payloadLength, alignment: 64)
            defer { destination.deallocate() }
            guard (try? entry.copyPayloadChecked(in: raw, to: destination)) != nil else { return false }
            precondition(Array(UnsafeRawBufferPointer(destination)) == Array(entry.payload(in: raw)), "copyPayloadChecked copied different bytes")
        }
        return true
    }
}
