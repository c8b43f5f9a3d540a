import ClusterAPI
import ClusterRuntime
import Foundation
import TensorWire
import Testing
import Training

/// Event files are TFRecord-framed `Event` protos with masked CRC32C, as TensorBoard reads them.
struct TensorBoardWriterTests {
    /// Reads every record of a TFRecord file, verifying both checksums.
    func readRecords(_ path: String) throws -> [[UInt8]] {
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
        var records: [[UInt8]] = []
        var i = 0
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }
        while i < bytes.count {
            let lengthBytes = Array(bytes[i..<(i + 8)])
            let length = (0..<8).reduce(0) { $0 | Int(lengthBytes[$1]) << (8 * $1) }
            #expect(u32(i + 8) == TFRecord.mask(lengthBytes.withUnsafeBytes { CRC32C.checksum($0) }))
            let data = Array(bytes[(i + 12)..<(i + 12 + length)])
            #expect(u32(i + 12 + length) == TFRecord.mask(data.withUnsafeBytes { CRC32C.checksum($0) }))
            records.append(data)
            i += 16 + length
        }
        return records
    }

    @Test func writesAVersionEventThenScalars() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tb-\(UUID().uuidString)").path
        let writer = try TensorBoardWriter(directory: dir)
        try writer.scalars([("train/loss", 0.5), ("train/accuracy", 0.75), ("skipped", .nan)], step: 10)
        try writer.scalars([("eval/auc", 0.99)], step: 20)
        #expect((writer.path as NSString).lastPathComponent.hasPrefix("events.out.tfevents."))
        print("event file:", writer.path)
        let records = try readRecords(writer.path)
        #expect(records.count == 3)
        let first = try Tensorboard_Event(serializedBytes: records[0])
        #expect(first.fileVersion == "brain.Event:2")
        let second = try Tensorboard_Event(serializedBytes: records[1])
        #expect(second.step == 10)
        #expect(second.summary.value.map(\.tag) == ["train/loss", "train/accuracy"])
        #expect(second.summary.value.map(\.simpleValue) == [0.5, 0.75])
        let third = try Tensorboard_Event(serializedBytes: records[2])
        #expect(third.summary.value.first?.tag == "eval/auc")
    }

    @Test func maskedCRCMatchesTheTFRecordDefinition() {
        // masked(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8 (mod 2^32).
        #expect(TFRecord.mask(0) == 0xA282_EAD8)
        #expect(TFRecord.mask(0xFFFF_FFFF) == 0xA282_EAD7)
    }
}
