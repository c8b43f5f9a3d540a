import CZlib

/// gzip / zlib decompression through zlib (auto-detected headers, concatenated members).
public enum Gzip {
    /// True when `bytes` start with the gzip magic 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Deflate cannot expand data by more than about 1032:1, so a size hint beyond that is a lie.
    public static let maxInflationRatio = 1032

    /// Inflates `bytes` into at most `budget.room` bytes; `name` is used in error messages. A truncated or
    /// corrupt stream throws `invalidData`; output past the budget throws `resourceExhausted` as soon as it is produced.
    public static func decompress(_ bytes: [UInt8], name: String, budget: DataBudget = DataBudget()) throws -> [UInt8] {
        let maxBytes = max(budget.room, 0)
        var output: [UInt8] = []
        // ISIZE (last 4 bytes, little-endian) is the uncompressed size mod 2^32 of the last member: a capacity hint only.
        if bytes.count >= 18 {
            let n = bytes.count
            let hint = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
            let plausible = n.multipliedReportingOverflow(by: maxInflationRatio)
            output.reserveCapacity(min(hint, maxBytes, plausible.overflow ? Int.max : plausible.partialValue))
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TrainingError(.invalidData, "\(name): cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        let chunk = 1 << 18
        let maxFeed = Int(UInt32.max)
        var buffer = [UInt8](repeating: 0, count: chunk)
        try bytes.withUnsafeBufferPointer { input in
            guard let base = input.baseAddress else { return }
            var consumed = 0  // input bytes handed to zlib so far
            func feed() {
                let n = min(input.count - consumed, maxFeed)
                stream.next_in = UnsafeMutablePointer(mutating: base + consumed)
                stream.avail_in = UInt32(truncatingIfNeeded: n)
                consumed += n
            }
            feed()
            while true {
                if stream.avail_in == 0 && consumed < input.count { feed() }
                let status: Int32 = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(chunk)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk - Int(stream.avail_out)
                guard produced <= maxBytes - output.count else { throw budget.exceeded(name, past: maxBytes) }
                output.append(contentsOf: buffer[0..<produced])
                let inputLeft = stream.avail_in > 0 || consumed < input.count
                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow.
                    if !inputLeft { return }
                    guard inflateReset(&stream) == Z_OK else {
                        throw TrainingError(.invalidData, "\(name): corrupt gzip data after byte \(stream.total_in)")
                    }
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress: fine only when the next slice of a >4 GiB input is still to be fed.
                    guard stream.avail_in == 0, consumed < input.count else {
                        throw TrainingError(.invalidData, "\(name): truncated gzip data (stream ends after \(input.count) bytes, \(output.count) bytes inflated)")
                    }
                    continue
                default:
                    let detail = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw TrainingError(.invalidData, "\(name): corrupt gzip data: \(detail)")
                }
            }
        }
        return output
    }
}

extension Gzip {
    /// Compresses `bytes` into one gzip member (used for fixtures and exports).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TrainingError(.unsupported, "cannot initialise zlib deflate")
        }
        defer { deflateEnd(&stream) }
        guard let inputCount = UInt32(exactly: bytes.count) else {
            throw TrainingError(.unsupported, "cannot compress \(bytes.count) bytes in one call (at most 4 GiB)")
        }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = inputCount
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(clamping: out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw TrainingError(.unsupported, "zlib deflate failed with status \(status)") }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }
}
