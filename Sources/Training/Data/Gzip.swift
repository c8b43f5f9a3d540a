import CZlib

/// gzip / zlib decompression through zlib (auto-detected headers, concatenated members).
public enum Gzip {
    /// True when `bytes` start with the gzip magic 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates `bytes`; `name` is used in error messages. A truncated or corrupt stream throws `invalidData`.
    public static func decompress(_ bytes: [UInt8], name: String) throws -> [UInt8] {
        var output: [UInt8] = []
        // ISIZE (last 4 bytes, little-endian) is the uncompressed size mod 2^32 of the last member: a capacity hint.
        if bytes.count >= 18 {
            let n = bytes.count
            let hint = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
            output.reserveCapacity(min(hint, 1 << 31))
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TrainingError(.invalidData, "\(name): cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        let chunk = 1 << 18
        var buffer = [UInt8](repeating: 0, count: chunk)
        try bytes.withUnsafeBufferPointer { input in
            guard let base = input.baseAddress else { return }
            stream.next_in = UnsafeMutablePointer(mutating: base)
            stream.avail_in = UInt32(input.count)
            while true {
                let status: Int32 = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(chunk)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk - Int(stream.avail_out)
                output.append(contentsOf: buffer[0..<produced])
                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow.
                    if stream.avail_in == 0 { return }
                    guard inflateReset(&stream) == Z_OK else {
                        throw TrainingError(.invalidData, "\(name): corrupt gzip data after byte \(stream.total_in)")
                    }
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 {
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
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw TrainingError(.unsupported, "zlib deflate failed with status \(status)") }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }
}
