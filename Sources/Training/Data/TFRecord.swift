import TensorWire

/// TFRecord framing: each record is `u64 length, u32 masked CRC32C(length), data, u32 masked CRC32C(data)`,
/// little-endian, mask(c) = ((c >> 15) | (c << 17)) + 0xa282ead8. The one implementation: the data
/// readers parse with `records`, and `TFRecordWriter` (TensorBoard event files) frames with `append`.
public enum TFRecord {
    /// TFRecord's CRC mask: rotate right by 15 and add a constant.
    public static func mask(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// The masked CRC32C TFRecord stores.
    public static func maskedCRC(_ bytes: some Collection<UInt8>) -> UInt32 {
        mask(CRC32C.checksum(bytes))
    }

    /// Bytes of framing around each record's data: length (8), its CRC (4), the data's CRC (4).
    public static let framingBytes = 16

    /// Splits `bytes` into record payloads, verifying both checksums and that each length fits in the
    /// bytes left; errors name the file, the record number and the byte offset.
    public static func records(_ bytes: [UInt8], name: String) throws -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var p = 0
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        while p < bytes.count {
            let record = out.count
            let left = bytes.count - p
            guard left >= framingBytes else {
                throw TrainingError(.invalidData, "\(name): record \(record): truncated at byte \(p) (\(left) bytes left, a record needs at least \(framingBytes))")
            }
            let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[p + $1]) << (8 * $1) }
            guard maskedCRC(bytes[p..<(p + 8)]) == u32(p + 8) else {
                throw TrainingError(.invalidData, "\(name): record \(record): length checksum mismatch at byte \(p)")
            }
            guard length <= UInt64(left - framingBytes) else {
                throw TrainingError(.invalidData, "\(name): record \(record): length \(length) at byte \(p) runs past the end of the file (\(left - framingBytes) bytes left)")
            }
            let start = p + 12, end = start + Int(length)  // length ≤ left − 16, so both fit
            let data = bytes[start..<end]
            guard maskedCRC(data) == u32(end) else {
                throw TrainingError(.invalidData, "\(name): record \(record): data checksum mismatch")
            }
            out.append(data)
            p = end + 4
        }
        return out
    }

    /// Appends one framed record holding `data` to `out`.
    public static func append(_ data: some Collection<UInt8>, to out: inout [UInt8]) {
        let length = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(data.count) >> (8 * $0)) }
        out.reserveCapacity(out.count + data.count + framingBytes)
        out += length
        out += le(maskedCRC(length))
        out += data
        out += le(maskedCRC(data))
    }

    /// Frames `payloads` as a TFRecord file.
    public static func encode(_ payloads: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for data in payloads { append(data, to: &out) }
        return out
    }

    private static func le(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}
