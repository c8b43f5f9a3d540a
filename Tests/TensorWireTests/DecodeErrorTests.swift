import Testing
import TensorWire

/// Each kind of bad input is reported with its code and a sentence naming the problem.
@Suite("Decode errors")
struct DecodeErrorTests {
    /// The dense fixture: entry at 64, dims at 128, payload at 192..<208.
    var dense: [UInt8] { hexBytes(Fixtures.densePushHex) }

    @Test("short, foreign and future buffers")
    func framing() {
        #expect(decodeError([])?.code == .truncated)
        #expect(decodeError(Array(dense[0..<63]))?.code == .truncated)
        #expect(decodeError(Array(dense[0..<200]))?.code == .truncated)
        #expect(decodeError(dense + [0])?.code == .badLength)
        var foreign = dense
        foreign[0] = UInt8(ascii: "G")
        #expect(decodeError(foreign)?.code == .badMagic)
        var future = dense
        future.put(UInt16(2), at: 4)
        #expect(decodeError(future)?.code == .unsupportedVersion)
        #expect(decodeError(future)?.message == "format version 2 is not supported; this decoder reads version 1")
    }

    @Test("flipped bits are caught by the header and data CRCs")
    func checksums() {
        for offset in [9, 70, 130, 195] {
            var bytes = dense
            bytes[offset] ^= 0x10
            #expect(decodeError(bytes)?.code == .checksumMismatch, "byte \(offset)")
        }
    }

    @Test("a negative dimension names the entry, variable and shape")
    func negativeDimension() {
        var bytes = dense
        bytes.put(Int64(-1), at: 136)
        bytes.reseal(entryStarts: [64])
        let error = decodeError(bytes)
        #expect(error?.code == .badShape)
        #expect(error?.message == "entry 0 (variable 7): shape [2, -1] has a negative dimension")
    }

    @Test("unknown kinds, dtypes, encodings and flags")
    func enums() {
        var kind = dense
        kind[6] = 9
        kind.reseal()
        #expect(decodeError(kind)?.code == .badFrameKind)
        var dtype = dense
        dtype[64 + 17] = 0
        dtype.reseal(entryStarts: [64])
        #expect(decodeError(dtype)?.code == .badDType)
        var encoding = dense
        encoding[64 + 16] = 2
        encoding.reseal(entryStarts: [64])
        #expect(decodeError(encoding)?.code == .badEncoding)
        var flags = dense
        flags[64 + 19] = 0x80
        flags.reseal(entryStarts: [64])
        #expect(decodeError(flags)?.code == .badFlags)
        var frameFlags = dense
        frameFlags[7] = 1
        frameFlags.reseal()
        #expect(decodeError(frameFlags)?.code == .badFlags)
    }

    @Test("lengths that disagree with the shape, and dense entries with row keys")
    func lengths() {
        var payload = dense
        payload.put(UInt64(12), at: 64 + 32)
        payload.reseal(entryStarts: [64])
        #expect(decodeError(payload)?.code == .badLength)
        #expect(decodeError(payload)?.message == "entry 0 (variable 7): payload is 12 bytes but shape [2, 2] of f32 needs 16")
        var rows = dense
        rows.put(UInt64(1), at: 64 + 24)
        rows.reseal(entryStarts: [64])
        #expect(decodeError(rows)?.code == .badLength)
        var huge = dense
        huge.put(UInt64.max, at: 64 + 32)
        huge.reseal(entryStarts: [64])
        #expect(decodeError(huge)?.code == .limitExceeded)
        var count = dense
        count.put(UInt32(2), at: 32)
        count.reseal()
        #expect(decodeError(count)?.code == .truncated)
    }

    @Test("non-zero padding and reserved bytes")
    func padding() {
        for offset in [50, 64 + 21, 64 + 54, 150, 220] {
            var bytes = dense
            bytes[offset] = 1
            bytes.reseal(entryStarts: [64])
            #expect(decodeError(bytes)?.code == .badPadding, "byte \(offset)")
        }
    }

    @Test("invalid UTF-8 in the message")
    func utf8() {
        var bytes = hexBytes(Fixtures.errorHex)
        bytes[64] = 0xFF
        bytes.reseal()
        #expect(decodeError(bytes)?.code == .badUTF8)
    }

    @Test("every limit is enforced")
    func limits() {
        #expect(decodeError(dense, limits: WireLimits(maxFrameBytes: 255))?.code == .limitExceeded)
        #expect(decodeError(dense, limits: WireLimits(maxEntries: 0))?.code == .limitExceeded)
        #expect(decodeError(dense, limits: WireLimits(maxRank: 1))?.code == .limitExceeded)
        #expect(decodeError(dense, limits: WireLimits(maxElementsPerEntry: 3))?.code == .limitExceeded)
        #expect(decodeError(hexBytes(Fixtures.errorHex), limits: WireLimits(maxMessageBytes: 10))?.code == .limitExceeded)
        #expect(decodeError(dense, limits: WireLimits(maxFrameBytes: 256, maxEntries: 1, maxRank: 2, maxElementsPerEntry: 4)) == nil)
    }

    @Test("a sparse entry needs rank ≥ 1")
    func sparseRank() {
        let frame = WireFrame(
            header: FrameHeader(kind: .pushRequest, requestID: 1, jobID: 1),
            entries: [WireEntry(header: EntryHeader(variableID: 3, partition: 0, version: 0, encoding: .sparseRows, dtype: .f32, shape: Shape([]), rowCount: 0, payloadLength: 0))])
        #expect(throws: WireError.self) { try WireFormat.encodeChecked(frame) }
    }
}
