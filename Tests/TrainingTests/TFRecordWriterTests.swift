import Foundation
import Testing
import Training

/// The one TFRecord implementation: what `TFRecordWriter` writes, `TFRecord.records` reads back, and a
/// damaged checksum is an error naming the file and record.
@Suite struct TFRecordWriterTests {
    func contents(_ path: String) throws -> [UInt8] {
        [UInt8](try #require(FileManager.default.contents(atPath: path)))
    }

    @Test func writerToReaderRoundTrip() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("events.tfrecord").path
        let payloads: [[UInt8]] = [[], [0x0A, 0x01, 0x02], Array(repeating: 0x5A, count: 70_000), ExampleProto.encode(["label": .floats([1])])]
        let writer = try TFRecordWriter(path: path)
        for payload in payloads { try writer.append(payload) }
        try writer.flush()
        let written = try contents(path)
        #expect(written == TFRecord.encode(payloads))
        #expect(try TFRecord.records(written, name: "events.tfrecord").map { Array($0) } == payloads)

        // Reopening appends after what is there; close writes and syncs, later appends are errors.
        let more = try TFRecordWriter(path: path)
        try more.append([7, 7, 7])
        try more.close()
        #expect(throws: TrainingError.self) { try more.append([1]) }
        #expect(try TFRecord.records(try contents(path), name: "events.tfrecord").map { Array($0) } == payloads + [[7, 7, 7]])
    }

    @Test func recordsWaitInTheBufferUntilFlushOrTheLimit() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("b.tfrecord").path
        let writer = try TFRecordWriter(path: path, bufferLimit: 100)
        try writer.append([1, 2, 3])
        #expect(try contents(path).isEmpty)
        try writer.append(Array(repeating: 9, count: 100))  // past the limit: both records reach the file
        #expect(try contents(path) == TFRecord.encode([[1, 2, 3], Array(repeating: 9, count: 100)]))
        try writer.append([4])
        try writer.synchronize()
        #expect(try TFRecord.records(try contents(path), name: "b").count == 3)
    }

    @Test func aCorruptedChecksumInAWrittenFileIsAnError() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("c.tfrecord").path
        let writer = try TFRecordWriter(path: path)
        try writer.append([1, 2, 3, 4])
        try writer.append([5, 6, 7, 8])
        try writer.close()
        let good = try contents(path)
        // Record 1 starts at 20 (16 framing + 4 data); its data CRC is the last 4 bytes of the file.
        var badData = good
        badData[badData.count - 1] ^= 0x01
        let dataError = try #require(throws: TrainingError.self) { _ = try TFRecord.records(badData, name: "c.tfrecord") }
        #expect(dataError.code == .invalidData && dataError.message == "c.tfrecord: record 1: data checksum mismatch")
        var badLength = good
        badLength[20 + 8] ^= 0x80  // record 1's length CRC
        let lengthError = try #require(throws: TrainingError.self) { _ = try TFRecord.records(badLength, name: "c.tfrecord") }
        #expect(lengthError.message == "c.tfrecord: record 1: length checksum mismatch at byte 20")
    }

    @Test func anUnwritablePathIsAClearError() throws {
        let error = try #require(throws: TrainingError.self) { _ = try TFRecordWriter(path: "/nonexistent-dir-\(UUID().uuidString)/x.tfrecord") }
        #expect(error.code == .io && error.message.contains("cannot be opened for writing"))
    }
}
