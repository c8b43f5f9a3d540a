import Foundation
import TensorWire

/// The seed corpus: a few valid frames of every kind and encoding, and one safetensors file.
enum TensorWireSeeds {
    /// Writes the seeds into `directory`; returns how many.
    static func write(to directory: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var seeds: [(String, [UInt8])] = []
        for (name, frame) in frames() { seeds.append((name + ".tsrw", WireFormat.encode(frame))) }
        let path = directory + "/model.safetensors"
        _ = try SafetensorsWriter.write(
            [.floats("w", shape: Shape([2, 3]), values: [1, 2, 3, 4, 5, 6]), .floats("b", shape: Shape([3]), values: [0.5, -1, 2])],
            metadata: ["step": "7"], to: path)
        _ = try SafetensorsWriter.write(
            [.init(name: "d", dtype: .f64, shape: Shape([2]), write: { $0.storeBytes(of: 1.5, toByteOffset: 0, as: Double.self) }),
             .init(name: "h", dtype: .bf16, shape: Shape([1, 2]), write: { $0.copyBytes(from: [0x80, 0x3F, 0x00, 0xC0]) })],
            to: directory + "/mixed.safetensors")
        for (name, bytes) in seeds {
            guard FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(bytes)) else {
                throw CocoaError(.fileWriteUnknown)
            }
        }
        return seeds.count + 2
    }

    private static func frames() -> [(String, WireFrame)] {
        let values: [Float] = [1, -2, 3.5, 0, 65504, -0.25]
        let dense = values.withUnsafeBufferPointer { WireEntry.dense(variableID: 7, partition: 0, version: 11, shape: Shape([2, 3]), floats: $0) }
        var chunk = values.withUnsafeBufferPointer { WireEntry.dense(variableID: 7, partition: 0, version: 11, shape: Shape([1, 3]), floats: UnsafeBufferPointer(rebasing: $0[3..<6])) }
        chunk.header.flags = .rowRange
        chunk.header.rowOffset = 1
        let halves: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x7BFF]
        let sparse = halves.withUnsafeBytes {
            WireEntry.sparse(variableID: 8, partition: 1, version: 12, dtype: .f16, shape: Shape([1000, 2]), rowKeys: [5, 900], bytes: $0)
        }
        var existingRows = WireEntry.sparseKeys(variableID: 8, partition: 0, version: 0, dtype: .f32, shape: Shape([0, 4]), rowKeys: [7, -1, 1 << 40])
        existingRows.header.flags.insert(.existingRowsOnly)
        let doubles: [Double] = [1, 2, .nan]
        let f64 = doubles.withUnsafeBytes { WireEntry.dense(variableID: 9, partition: 2, version: 1, dtype: .f64, shape: Shape([3]), bytes: $0) }
        return [
            ("pull-request", WireFrame(header: FrameHeader(kind: .pullRequest, requestID: 1, jobID: 42, senderID: 3),
                entries: [.empty(variableID: 7, partition: 1, version: 5), .sparseKeys(variableID: 8, partition: 0, version: 0, dtype: .f32, shape: Shape([100, 4]), rowKeys: [1, 2, 99])])),
            ("sparse-read-request", WireFrame(header: FrameHeader(kind: .pullRequest, requestID: 2, jobID: 42, senderID: UInt32.max), entries: [existingRows])),
            ("dense-push", WireFrame(header: FrameHeader(kind: .pushRequest, requestID: 9, jobID: 42, senderID: 2), entries: [dense])),
            ("chunk-push", WireFrame(header: FrameHeader(kind: .pushRequest, requestID: 9, jobID: 42, senderID: 2), entries: [chunk])),
            ("sparse-push", WireFrame(header: FrameHeader(kind: .pushRequest, requestID: 10, jobID: 42, senderID: 2), entries: [sparse, f64])),
            ("pull-response", WireFrame(header: FrameHeader(kind: .pullResponse, requestID: 1, jobID: 42, message: "ok"), entries: [dense, f64])),
            ("error", WireFrame(header: FrameHeader(kind: .error, requestID: 11, jobID: 42, senderID: 1, status: 14, message: "shard 2 is draining"))),
        ]
    }
}
