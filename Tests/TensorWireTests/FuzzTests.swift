import Testing
import TensorWire

/// 100 000+ hostile buffers: decoding returns a frame or a WireError, never traps; and whatever
/// decodes re-encodes to exactly the same bytes (the format is canonical).
@Suite("Fuzz")
struct FuzzTests {
    /// Valid frames to mutate, with their entry start offsets.
    static let seeds: [([UInt8], [Int])] = {
        var frames = Fixtures.all.map { (hexBytes($0.1), [Int]()) }
        var rng = SeededGenerator(seed: 11)
        let mixed = WireFrame(
            header: FrameHeader(kind: .pullResponse, requestID: 3, jobID: 4, message: "mixed"),
            entries: [
                .empty(variableID: 1, partition: 0, version: 0),
                RoundTripTests.payload(.f64, count: 6, rng: &rng).withUnsafeBytes {
                    .dense(variableID: 2, partition: 0, version: 1, dtype: .f64, shape: Shape([2, 1, 3]), bytes: $0)
                },
                RoundTripTests.payload(.i32, count: 4, rng: &rng).withUnsafeBytes {
                    .sparse(variableID: 3, partition: 2, version: 1, dtype: .i32, shape: Shape([0, 2]), rowKeys: [7, 8], bytes: $0)
                },
                .sparseKeys(variableID: 4, partition: 0, version: 9, dtype: .u8, shape: Shape([5]), rowKeys: [1, 2, 3]),
            ])
        frames.append((WireFormat.encode(mixed), []))
        // Entry start offsets, read from a clean decode.
        return frames.map { bytes, _ in
            var starts: [Int] = []
            var cursor = (64 + Int(bytes.get(36, as: UInt32.self)) + 63) & ~63
            while cursor < bytes.count {
                starts.append(cursor)
                let rank = Int(bytes[cursor + 18])
                let rows = Int(bytes.get(cursor + 24, as: UInt64.self)), length = Int(bytes.get(cursor + 32, as: UInt64.self))
                let keys = (cursor + 64 + 8 * rank + 63) & ~63
                let payload = (keys + 8 * rows + 63) & ~63
                cursor = (payload + length + 63) & ~63
            }
            return (bytes, starts)
        }
    }()

    /// Decodes; on success checks the canonical re-encoding. Returns whether it decoded.
    @discardableResult
    static func check(_ bytes: [UInt8], codes: inout [String: Int]) -> Bool {
        switch decodeResult(bytes, limits: WireLimits(maxFrameBytes: 1 << 20)) {
        case .success(let frame):
            #expect(WireFormat.encode(frame) == bytes)
            return true
        case .failure(let error):
            #expect(!error.message.isEmpty)
            codes[error.code.name, default: 0] += 1
            return false
        }
    }

    @Test("random, truncated, bit-flipped and re-sealed buffers never trap")
    func hostileBuffers() {
        var rng = SeededGenerator(seed: 2024)
        var decoded = 0, total = 0
        var codes: [String: Int] = [:]
        let seeds = Self.seeds
        for (bytes, _) in seeds {
            #expect(Self.check(bytes, codes: &codes))
            // Every truncation.
            for n in 0..<bytes.count { Self.check(Array(bytes[0..<n]), codes: &codes); total += 1 }
        }
        for round in 0..<100_000 {
            let (seed, starts) = seeds[Int(rng.next() % UInt64(seeds.count))]
            var bytes = seed
            switch round % 5 {
            case 0:  // pure noise, sometimes behind a valid magic and version
                bytes = (0..<Int(rng.next() % 400)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if rng.next() % 2 == 0, bytes.count >= 6 { bytes.replaceSubrange(0..<6, with: [0x54, 0x53, 0x52, 0x57, 1, 0]) }
            case 1:  // a few flipped bits
                for _ in 0..<(1 + rng.next() % 3) { bytes[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(1) << (rng.next() % 8) }
            case 2, 3:  // one header byte set to a random or boundary value, then CRCs repaired so validation sees it
                let headerBytes = [0..<60] + starts.map { $0..<min($0 + 64 + 8 * Int(bytes[$0 + 18]), bytes.count) }
                let range = headerBytes[Int(rng.next() % UInt64(headerBytes.count))]
                let at = range.lowerBound + Int(rng.next() % UInt64(range.count))
                let values: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, UInt8(truncatingIfNeeded: rng.next())]
                bytes[at] = values[Int(rng.next() % UInt64(values.count))]
                if round % 5 == 3 { bytes[Int(rng.next() % UInt64(bytes.count))] ^= 0x01 }
                bytes.reseal(entryStarts: starts)
            default:  // truncated or extended by random bytes
                if rng.next() % 2 == 0 {
                    bytes.removeLast(Int(rng.next() % UInt64(bytes.count)))
                } else {
                    bytes += (0..<Int(1 + rng.next() % 100)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                }
                bytes.reseal(entryStarts: starts)
            }
            if Self.check(bytes, codes: &codes) { decoded += 1 }
            total += 1
        }
        #expect(total >= 100_000)
        // The mutations reach the validators behind the CRCs, not just the checksum check.
        for code in ["truncated", "badMagic", "badLength", "badShape", "badDType", "badEncoding", "limitExceeded", "checksumMismatch", "badPadding"] {
            #expect(codes[code, default: 0] > 0, "no buffer produced \(code)")
        }
        print("fuzz: \(total) buffers, \(decoded) decoded as valid frames; errors: \(codes.sorted { $0.key < $1.key })")
    }
}
