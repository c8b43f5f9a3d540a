import TensorWire

/// Parses IDX files (the MNIST format): big-endian header, unsigned-byte payload. The header's
/// dimensions must multiply (checked) to exactly the payload size, so they never size more than the file holds.
public enum IDXReader {
    /// The dimensions and payload offset of an IDX u8 file; throws naming `name` on a bad magic or size.
    static func header(_ bytes: [UInt8], name: String, expectedRank: Int) throws -> (dims: [Int], offset: Int) {
        guard bytes.count >= 4 else { throw TrainingError(.invalidData, "\(name): file too short for an IDX header (\(bytes.count) bytes)") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw TrainingError(.invalidData, "\(name): bad IDX magic (not an IDX file: its first two bytes must be zero)")
        }
        guard bytes[2] == 0x08 else {
            throw TrainingError(.invalidData, "\(name): IDX element type 0x\(String(bytes[2], radix: 16)) is not unsigned byte (0x08)")
        }
        let rank = Int(bytes[3])
        guard rank == expectedRank else {
            throw TrainingError(.invalidData, "\(name): IDX header has \(rank) dimensions, expected \(expectedRank)")
        }
        let offset = 4 + 4 * rank
        guard bytes.count >= offset else { throw TrainingError(.invalidData, "\(name): truncated IDX header") }
        var dims: [Int] = []
        var payload = 1
        for d in 0..<rank {
            let p = 4 + 4 * d
            let dim = Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
            dims.append(dim)
            let (product, overflow) = payload.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw TrainingError(.invalidData, "\(name): IDX header \(dims) describes more bytes than any file holds") }
            payload = product
        }
        let (expected, overflow) = offset.addingReportingOverflow(payload)
        guard !overflow else { throw TrainingError(.invalidData, "\(name): IDX header \(dims) describes more bytes than any file holds") }
        if bytes.count < expected {
            let recordSize = max(dims.dropFirst().reduce(1, *), 1)  // ≤ payload, which did not overflow
            let record = (bytes.count - offset) / recordSize
            throw TrainingError(.invalidData, "\(name): truncated at record \(record): \(bytes.count) bytes, header \(dims) needs \(expected)")
        }
        guard bytes.count == expected else {
            throw TrainingError(.invalidData, "\(name): \(bytes.count) bytes, header \(dims) needs exactly \(expected)")
        }
        return (dims, offset)
    }

    /// Images [n, rows·cols] scaled by 1/255, at most `limit` of them, reserved against `budget` before allocating;
    /// with `shard`, only that shard's rows of those (`DataShard.splitRow` order).
    public static func images(_ bytes: [UInt8], name: String, limit: Int? = nil, budget: DataBudget = DataBudget(),
                              shard: DataShard? = nil) throws -> Tensor {
        let (dims, offset) = try header(bytes, name: name, expectedRank: 3)
        let n = min(dims[0], max(limit ?? Int.max, 0))
        // With no images the payload check says nothing about the image size: check it on its own.
        let (width, overflow) = dims[1].multipliedReportingOverflow(by: dims[2])
        guard !overflow, width > 0, width <= DataLimits.maxFeatures else {
            throw TrainingError(.invalidData, "\(name): IDX images of \(dims[1]) × \(dims[2]) pixels are not 1…\(DataLimits.maxFeatures) features")
        }
        // Only the shard's rows are decoded (and counted against the budget) when one is given.
        let kept = shard?.rows(of: n) ?? n
        try budget.reserve(kept, bytesEach: 4 * width, for: "\(name): \(kept) images × \(width) pixels × 4 bytes")
        let t = Tensor(zeros: Shape([kept, width]))
        let out = t.baseAddress
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            let src = base + offset
            for row in 0..<kept {
                let from = src + (shard?.splitRow(row) ?? row) * width, to = out + row * width
                for j in 0..<width { to[j] = Float(from[j]) / 255 }
            }
        }
        return t
    }

    /// Labels [n], at most `limit` of them, reserved against `budget` before allocating.
    public static func labels(_ bytes: [UInt8], name: String, limit: Int? = nil, budget: DataBudget = DataBudget()) throws -> Tensor {
        let (dims, offset) = try header(bytes, name: name, expectedRank: 1)
        let n = min(dims[0], max(limit ?? Int.max, 0))
        try budget.reserve(n, bytesEach: 4, for: "\(name): \(n) labels × 4 bytes")
        let t = Tensor(zeros: Shape([n]))
        let out = t.baseAddress
        for i in 0..<n { out[i] = Float(bytes[offset + i]) }
        return t
    }
}
