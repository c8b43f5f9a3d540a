import TensorWire

/// Rewrites a fuzz input so that its frame length and every CRC it can locate are right
/// (layout in docs/wire-format.md), letting mutations get past the checksums to the field checks.
enum CRCRepair {
    /// A copy of `input` (≥ 64 bytes) with length and CRCs repaired where the structure allows.
    static func repaired(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        let count = bytes.count
        store(UInt64(count), at: 40, in: &bytes)
        let messageLength = min(Int(load32(36, bytes)), max(0, count - 64))
        var crc = CRC32C.checksum(bytes[0..<60])
        crc = CRC32C.checksum(bytes[64..<(64 + messageLength)], seed: crc)
        store32(crc, at: 60, in: &bytes)
        var cursor = align(64 + Int(load32(36, bytes)))
        var guardCount = 0
        while cursor + 64 <= count, guardCount < 64 {
            guardCount += 1
            let rank = Int(bytes[cursor + 18])
            let headerEnd = cursor + 64 + 8 * rank
            guard rank <= 16, headerEnd <= count else { break }
            let rows = Int(truncatingIfNeeded: load64(cursor + 24, bytes))
            let payload = Int(truncatingIfNeeded: load64(cursor + 32, bytes))
            guard rows >= 0, rows < 1 << 24, payload >= 0, payload < 1 << 28 else { break }
            let keysStart = align(headerEnd)
            let payloadStart = align(keysStart + 8 * rows)
            let end = align(payloadStart + payload)
            if payloadStart + payload <= count {
                var data = CRC32C.checksum(bytes[keysStart..<(keysStart + 8 * rows)])
                data = CRC32C.checksum(bytes[payloadStart..<(payloadStart + payload)], seed: data)
                store32(data, at: cursor + 40, in: &bytes)
            }
            var header = CRC32C.checksum(bytes[cursor..<(cursor + 60)])
            header = CRC32C.checksum(bytes[(cursor + 64)..<headerEnd], seed: header)
            store32(header, at: cursor + 60, in: &bytes)
            cursor = end
        }
        return bytes
    }

    private static func align(_ n: Int) -> Int { (n + 63) & ~63 }

    private static func load32(_ at: Int, _ b: [UInt8]) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(b[at + $1]) << (8 * UInt32($1)) }
    }

    private static func load64(_ at: Int, _ b: [UInt8]) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
    }

    private static func store(_ v: UInt64, at: Int, in b: inout [UInt8]) {
        for i in 0..<8 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }

    private static func store32(_ v: UInt32, at: Int, in b: inout [UInt8]) {
        for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
    }
}
