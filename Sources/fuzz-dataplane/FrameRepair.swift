import TensorWire

/// Makes a mutated request frame's length and checksums right again (layout in docs/wire-format.md), so mutations of
/// its fields reach the handler's checks instead of stopping at a CRC; optionally points it at a fixture job.
enum FrameRepair {
    /// `frame` with its job id set to `jobID` (when given), its frame length, header CRC and each entry's CRCs recomputed
    /// wherever its structure can be followed; frames shorter than a header come back unchanged.
    static func repaired(_ frame: [UInt8], jobID: UInt64?) -> [UInt8] {
        var bytes = frame
        let count = bytes.count
        guard count >= 64 else { return bytes }
        if let jobID { store(jobID, at: 16, width: 8, in: &bytes) }
        store(UInt64(count), at: 40, width: 8, in: &bytes)
        let message = Int(load(36, width: 4, bytes))
        let messageEnd = min(64 + message, count)
        store(UInt64(CRC32C.checksum(bytes[64..<messageEnd], seed: CRC32C.checksum(bytes[0..<60]))), at: 60, width: 4, in: &bytes)
        var cursor = align(64 + min(message, count))
        var entries = 0
        while cursor + 64 <= count, entries < 256 {
            entries += 1
            let rank = Int(bytes[cursor + 18])
            let headerEnd = cursor + 64 + 8 * rank
            guard headerEnd <= count else { break }
            let keys = load(cursor + 24, width: 8, bytes), payload = load(cursor + 32, width: 8, bytes)
            guard keys < 1 << 24, payload < 1 << 28 else { break }
            let keysStart = align(headerEnd)
            let payloadStart = align(keysStart + 8 * Int(keys))
            let payloadEnd = payloadStart + Int(payload)
            if payloadEnd <= count {
                let data = CRC32C.checksum(bytes[payloadStart..<payloadEnd], seed: CRC32C.checksum(bytes[keysStart..<(keysStart + 8 * Int(keys))]))
                store(UInt64(data), at: cursor + 40, width: 4, in: &bytes)
            }
            let header = CRC32C.checksum(bytes[(cursor + 64)..<headerEnd], seed: CRC32C.checksum(bytes[cursor..<(cursor + 60)]))
            store(UInt64(header), at: cursor + 60, width: 4, in: &bytes)
            cursor = align(payloadEnd)
        }
        return bytes
    }

    private static func align(_ n: Int) -> Int { (n + 63) & ~63 }

    private static func load(_ at: Int, width: Int, _ b: [UInt8]) -> UInt64 {
        (0..<width).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
    }

    private static func store(_ v: UInt64, at: Int, width: Int, in b: inout [UInt8]) {
        for i in 0..<width { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }
}
