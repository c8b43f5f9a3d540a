import TensorWire

/// Parses IDX files (the MNIST format): big-endian header, unsigned-byte payload.
public enum IDXReader {
    /// The dimensions and payload offset of an IDX u8 file; throws naming `name` on a bad magic or size.
    static func header(_ bytes: [UInt8], name: String, expectedRank: Int) throws -> (dims: [Int], offset: Int) {
        guard bytes.count >= 4 else { throw TrainingError(.invalidData, "\(name): file too short for an IDX header (\(bytes.count) bytes)") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw TrainingError(.invalidData, "\(name): bad IDX magic \(hex(bytes[0..<4]))")
        }
        guard bytes[2] == 0x08 else {
            throw TrainingError(.invalidData, "\(name): IDX element type 0x\(String(bytes[2], radix: 16)) is not unsigned byte (0x08)")
        }
        let rank = Int(bytes[3])
        guard rank == expectedRank else {
            throw TrainingError(.invalidData, "\(name): IDX magic \(hex(bytes[0..<4])) has \(rank) dimensions, expected \(expectedRank)")
        }
        let offset = 4 + 4 * rank
        guard bytes.count >= offset else { throw TrainingError(.invalidData, "\(name): truncated IDX header") }
        var dims: [Int] = []
        for d in 0..<rank {
            let p = 4 + 4 * d
            dims.append(Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3]))
        }
        let expected = offset + dims.reduce(1, *)
        if bytes.count < expected {
            let recordSize = max(dims.dropFirst().reduce(1, *), 1)
            let record = (bytes.count - offset) / recordSize
            throw TrainingError(.invalidData, "\(name): truncated at record \(record): \(bytes.count) bytes, header \(dims) needs \(expected)")
        }
        guard bytes.count == expected else {
            throw TrainingError(.invalidData, "\(name): \(bytes.count) bytes, header \(dims) needs exactly \(expected)")
        }
        return (dims, offset)
    }

    /// Images [n, rows·cols] scaled by 1/255, at most `limit` of them.
    public static func images(_ bytes: [UInt8], name: String, limit: Int? = nil) throws -> Tensor {
        let (dims, offset) = try header(bytes, name: name, expectedRank: 3)
        let n = min(dims[0], limit ?? Int.max)
        let width = dims[1] * dims[2]
        let t = Tensor(zeros: Shape([n, width]))
        let total = n * width
        let out = t.baseAddress
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            let src = base + offset
            for i in 0..<total { out[i] = Float(src[i]) / 255 }
        }
        return t
    }

    /// Labels [n], at most `limit` of them.
    public static func labels(_ bytes: [UInt8], name: String, limit: Int? = nil) throws -> Tensor {
        let (dims, offset) = try header(bytes, name: name, expectedRank: 1)
        let n = min(dims[0], limit ?? Int.max)
        let t = Tensor(zeros: Shape([n]))
        let out = t.baseAddress
        for i in 0..<n { out[i] = Float(bytes[offset + i]) }
        return t
    }

    private static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        "0x" + bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
