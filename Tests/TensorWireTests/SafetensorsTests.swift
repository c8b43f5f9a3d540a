import Foundation
import Testing
@testable import TensorWire

/// The safetensors writer and reader, checked against the format's rules byte by byte.
struct SafetensorsTests {
    func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test func fileFollowsTheFormatByteByByte() throws {
        let path = temporaryPath("model.safetensors")
        let kernel: [Float] = [1, 2, 3, 4, 5, 6]
        let bias: [Float] = [-0.5, 0.25]
        try SafetensorsWriter.write(
            [.floats("dense_0/kernel", shape: Shape([3, 2]), values: kernel), .floats("dense_0/bias", shape: Shape([2]), values: bias)],
            metadata: ["format": "pt", "step": "42"], to: path)
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
        // 8-byte little-endian header length.
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(n % 8 == 0)
        #expect(bytes.count == 8 + n + (kernel.count + bias.count) * 4)
        // The header is JSON, padded with spaces.
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
        let k = try #require(header["dense_0/kernel"] as? [String: Any])
        #expect(k["dtype"] as? String == "F32")
        #expect(k["shape"] as? [Int] == [3, 2])
        #expect(k["data_offsets"] as? [Int] == [0, 24])
        let b = try #require(header["dense_0/bias"] as? [String: Any])
        #expect(b["data_offsets"] as? [Int] == [24, 32])
        #expect((header["__metadata__"] as? [String: String])?["step"] == "42")
        // Raw little-endian floats in order.
        let data = Array(bytes[(8 + n)...])
        let expected = (kernel + bias).flatMap { f in withUnsafeBytes(of: f.bitPattern.littleEndian) { Array($0) } }
        #expect(data == expected)
        // And it reads back.
        let reader = try SafetensorsReader(path: path)
        #expect(try reader.floats("dense_0/kernel") == kernel)
        #expect(try reader.floats("dense_0/bias") == bias)
        #expect(reader.metadata["format"] == "pt")
    }

    @Test func corruptFilesAreRejectedWithASentence() throws {
        let path = temporaryPath("bad.safetensors")
        try SafetensorsWriter.write([.floats("w", shape: Shape([4]), values: [1, 2, 3, 4])], to: path)
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
        // Truncated data section.
        try Data(bytes.dropLast(4)).write(to: URL(fileURLWithPath: path))
        #expect(throws: SafetensorsError.self) { try SafetensorsReader(path: path) }
        // Header length beyond the file.
        bytes[0] = 0xFF
        bytes[1] = 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: SafetensorsError.self) { try SafetensorsReader(path: path) }
        // Too short.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        #expect(throws: SafetensorsError.self) { try SafetensorsReader(path: path) }
    }

    @Test func headerValidationCatchesGapsAndMismatches() {
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        #expect(throws: SafetensorsError.self) { try Safetensors.parseHeader(Array(gap.utf8), dataBytes: 12) }
        let mismatch = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#
        #expect(throws: SafetensorsError.self) { try Safetensors.parseHeader(Array(mismatch.utf8), dataBytes: 4) }
        let dtype = #"{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}"#
        #expect(throws: SafetensorsError.self) { try Safetensors.parseHeader(Array(dtype.utf8), dataBytes: 4) }
        let fine = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        #expect(throws: Never.self) { try Safetensors.parseHeader(Array(fine.utf8), dataBytes: 4) }
    }

    @Test func rewritingIsAtomic() throws {
        let path = temporaryPath("ckpt.safetensors")
        try SafetensorsWriter.write([.floats("w", shape: Shape([2]), values: [1, 2])], to: path)
        // A failing writer leaves the previous file intact and no temporary behind.
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try SafetensorsWriter.write([SafetensorsWriter.Tensor(name: "w", shape: Shape([2])) { _ in throw Boom() }], to: path)
        }
        #expect(try SafetensorsReader(path: path).floats("w") == [1, 2])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers == ["ckpt.safetensors"])
    }
}
