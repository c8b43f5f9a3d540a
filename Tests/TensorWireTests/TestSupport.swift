import TensorWire

/// Bytes from a hex string; whitespace is ignored.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }.map { UInt8(String($0), radix: 16)! }
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// Lower-case hex of bytes.
func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

/// Decodes an array, returning the error instead of throwing.
func decodeResult(_ bytes: [UInt8], limits: WireLimits = .default) -> Result<WireFrame, WireError> {
    bytes.withUnsafeBytes { raw in
        do throws(WireError) { return .success(try WireFormat.decode(raw, limits: limits)) } catch { return .failure(error) }
    }
}

/// The error decoding `bytes` throws, or nil when it decodes.
func decodeError(_ bytes: [UInt8], limits: WireLimits = .default) -> WireError? {
    if case .failure(let e) = decodeResult(bytes, limits: limits) { return e }
    return nil
}

/// Little-endian stores into a byte array.
extension Array where Element == UInt8 {
    mutating func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }

    func get<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
        withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    /// CRC32C of a range.
    func crc(_ range: Range<Int>, seed: UInt32 = 0) -> UInt32 {
        withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[range]), seed: seed) }
    }

    /// Recomputes the frame header CRC (and those of entries starting at `entryStarts`, using each one's current rank), so a mutated field gets past the checksum and reaches validation.
    mutating func reseal(entryStarts: [Int] = []) {
        guard count >= 64 else { return }
        for s in entryStarts where s + 64 <= count {
            let end = s + 64 + 8 * Int(self[s + 18])
            guard end <= count else { continue }
            put(crc(s + 64..<end, seed: crc(s..<s + 60)), at: s + 60)
        }
        let m = Int(get(36, as: UInt32.self))
        guard 64 + m <= count else { return }
        put(crc(64..<64 + m, seed: crc(0..<60)), at: 60)
    }
}

/// Fixture frames, written independently of the encoder (see docs/wire-format.md).
enum Fixtures {
    /// Pull request: request 0x0102030405060708, job 42, sender 3; one empty entry (variable 7, partition 1, version 5).
    static let pullRequestHex = """
        545352570100010008070605040302012a000000000000000300000000000000
        0100000000000000800000000000000000000000000000000000000066eb0cf4
        0700000001000000050000000000000000010001000000000000000000000000
        0000000000000000000000000000000000000000000000000000000038d6309c
        """
    /// The frame `pullRequestHex` encodes.
    static var pullRequest: WireFrame {
        WireFrame(
            header: FrameHeader(kind: .pullRequest, requestID: 0x0102_0304_0506_0708, jobID: 42, senderID: 3),
            entries: [.empty(variableID: 7, partition: 1, version: 5)])
    }

    /// Dense push: request 9, job 42, sender 2; variable 7, version 11, f32 [2, 2] = 1, 2, 3, 4.
    static let densePushHex = """
        545352570100030009000000000000002a000000000000000200000000000000
        0100000000000000000100000000000000000000000000000000000088228b69
        07000000000000000b0000000000000000010200000000000000000000000000
        10000000000000000a69ba9e00000000000000000000000000000000e1743200
        0200000000000000020000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000803f00000040000040400000804000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """
    /// The frame `densePushHex` encodes.
    static var densePush: WireFrame {
        let values: [Float] = [1, 2, 3, 4]
        let entry = values.withUnsafeBufferPointer {
            WireEntry.dense(variableID: 7, partition: 0, version: 11, shape: Shape([2, 2]), floats: $0)
        }
        return WireFrame(header: FrameHeader(kind: .pushRequest, requestID: 9, jobID: 42, senderID: 2), entries: [entry])
    }

    /// Sparse push: request 10; variable 8, partition 1, version 12, f16 rows of [1000, 2], keys 5 and 900, values 1, -2, 0.5, 65504.
    static let sparsePushHex = """
        54535257010003000a000000000000002a000000000000000200000000000000
        010000000000000040010000000000000000000000000000000000007abc176d
        08000000010000000c0000000000000001020200000000000200000000000000
        08000000000000002fba8ef200000000000000000000000000000000c2f1dd8c
        e803000000000000020000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0500000000000000840300000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        003c00c00038ff7b000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """
    /// The frame `sparsePushHex` encodes.
    static var sparsePush: WireFrame {
        let halves: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x7BFF]
        let entry = halves.withUnsafeBytes {
            WireEntry.sparse(variableID: 8, partition: 1, version: 12, dtype: .f16, shape: Shape([1000, 2]), rowKeys: [5, 900], bytes: $0)
        }
        return WireFrame(header: FrameHeader(kind: .pushRequest, requestID: 10, jobID: 42, senderID: 2), entries: [entry])
    }

    /// Error frame: request 11, sender 1, status 14, message "shard 2 is draining", no entries.
    static let errorHex = """
        54535257010005000b000000000000002a00000000000000010000000e000000
        00000000130000008000000000000000000000000000000000000000876bc61c
        7368617264203220697320647261696e696e6700000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """
    /// The frame `errorHex` encodes.
    static var error: WireFrame {
        WireFrame(header: FrameHeader(kind: .error, requestID: 11, jobID: 42, senderID: 1, status: 14, message: "shard 2 is draining"))
    }

    /// Every fixture: name, hex, frame.
    static var all: [(String, String, WireFrame)] {
        [("pullRequest", pullRequestHex, pullRequest), ("densePush", densePushHex, densePush),
         ("sparsePush", sparsePushHex, sparsePush), ("error", errorHex, error)]
    }
}
