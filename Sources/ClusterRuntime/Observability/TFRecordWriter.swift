import Foundation
import TensorWire

/// Appends records in TFRecord framing: u64 length, masked CRC32C of the length, data, masked CRC32C of the data.
public final class TFRecordWriter {
    private let handle: FileHandle
    /// The file written.
    public let path: String

    /// Opens (creating or appending to) a TFRecord file.
    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw RuntimeFailure(.internalError, "cannot create \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw RuntimeFailure(.internalError, "cannot open \(path) for writing") }
        handle.seekToEndOfFile()
        self.handle = handle
        self.path = path
    }

    deinit { try? handle.close() }

    /// TFRecord's CRC mask: rotate right by 15 and add a constant.
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// The framed bytes of one record.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = UInt64(data.count)
        let lengthBytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        out += lengthBytes
        out += littleEndian(masked(lengthBytes.withUnsafeBytes { CRC32C.checksum($0) }))
        out += data
        out += littleEndian(masked(data.withUnsafeBytes { CRC32C.checksum($0) }))
        return out
    }

    /// Appends one record and flushes it to the file.
    public func append(_ data: [UInt8]) throws {
        try handle.write(contentsOf: Self.frame(data))
        try handle.synchronize()
    }

    private static func littleEndian(_ v: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
    }
}
