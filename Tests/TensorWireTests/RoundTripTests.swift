import Testing
import TensorWire

@Suite("Round trips")
struct RoundTripTests {
    /// Random little-endian bytes for `count` elements of `dtype` (finite values for float types).
    static func payload(_ dtype: DType, count: Int, rng: inout SeededGenerator) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count * dtype.byteWidth)
        bytes.withUnsafeMutableBytes { out in
            for i in 0..<count {
                let x = rng.nextNormal() * 3
                switch dtype {
                case .f32: out.storeBytes(of: x, toByteOffset: 4 * i, as: Float.self)
                case .f16: out.storeBytes(of: HalfPrecision.float16Bits(x), toByteOffset: 2 * i, as: UInt16.self)
                case .bf16: out.storeBytes(of: HalfPrecision.bfloat16Bits(x), toByteOffset: 2 * i, as: UInt16.self)
                case .f64: out.storeBytes(of: Double(x), toByteOffset: 8 * i, as: Double.self)
                case .i32: out.storeBytes(of: Int32(truncatingIfNeeded: rng.next()), toByteOffset: 4 * i, as: Int32.self)
                case .i64: out.storeBytes(of: Int64(bitPattern: rng.next()), toByteOffset: 8 * i, as: Int64.self)
                case .u8: out[i] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
        }
        return bytes
    }

    @Test("every dtype round-trips densely and as sparse rows", arguments: DType.allCases, [EntryEncoding.dense, .sparseRows])
    func roundTrip(dtype: DType, encoding: EntryEncoding) throws {
        var rng = SeededGenerator(seed: UInt64(dtype.rawValue) * 10 + UInt64(encoding.rawValue))
        var entries: [WireEntry] = []
        for (i, dims) in [[3, 5], [7], [2, 3, 4], [1, 1], [0, 4], [9, 0]].enumerated() {
            let shape = Shape(dims)
            if encoding == .dense {
                let bytes = Self.payload(dtype, count: shape.elementCount, rng: &rng)
                entries.append(bytes.withUnsafeBytes {
                    WireEntry.dense(variableID: UInt32(i), partition: 2, version: 99, dtype: dtype, shape: shape, bytes: $0)
                })
            } else {
                let keys = (0..<(i + 1)).map { _ in Int64(bitPattern: rng.next()) }
                let bytes = Self.payload(dtype, count: keys.count * shape.rowWidth, rng: &rng)
                entries.append(bytes.withUnsafeBytes {
                    WireEntry.sparse(variableID: UInt32(i), partition: 2, version: 99, dtype: dtype, shape: shape, rowKeys: keys, bytes: $0)
                })
            }
        }
        if encoding == .dense {
            entries.append(WireEntry.dense(variableID: 50, partition: 0, version: 1, dtype: dtype, shape: Shape([]), bytes: UnsafeRawBufferPointer(start: nil, count: 0)).withScalar(dtype, &rng))
        }
        let frame = WireFrame(
            header: FrameHeader(kind: .pullResponse, requestID: .max, jobID: 1 << 40, senderID: 9, status: 0, message: "ok ✓"),
            entries: entries)
        let bytes = try WireFormat.encodeChecked(frame)
        #expect(bytes.count % 64 == 0)
        let decoded = try decodeResult(bytes).get()
        #expect(decoded.header == frame.header)
        #expect(decoded.entries.count == entries.count)
        for (a, b) in zip(decoded.entries, entries) {
            #expect(a.header == b.header)
            #expect(a.rowKeys == b.rowKeys)
            #expect(a.payload == b.payload)
        }
        // The zero-copy view agrees and every region is 64-byte aligned.
        let view = try bytes.withUnsafeBytes { raw in try WireFormat.decodeView(raw) }
        for (v, e) in zip(view.entries, entries) {
            #expect(v.rowKeysOffset % 64 == 0 && v.payloadOffset % 64 == 0)
            bytes.withUnsafeBytes { raw in
                #expect(Array(v.payload(in: raw)) == e.payload)
                #expect(v.rowKeys(in: raw) == e.rowKeys)
            }
        }
        // Float dtypes read back as Float.
        switch dtype {
        case .f32, .f16, .bf16, .f64:
            for e in decoded.entries {
                let floats = try e.floats()
                #expect(floats.count == e.payload.count / dtype.byteWidth)
            }
        case .i32, .i64, .u8:
            #expect(throws: WireError.self) { try decoded.entries[0].floats() }
        }
    }

    @Test("floats() converts every float dtype to the values written")
    func floatsConversion() throws {
        let values: [Float] = [0, 1, -2.5, 3.25, 1024, -0.125]
        for dtype in [DType.f32, .f16, .bf16, .f64] {
            var raw = [UInt8](repeating: 0, count: values.count * dtype.byteWidth)
            try values.withUnsafeBufferPointer { src in
                try raw.withUnsafeMutableBytes { dst in try WireFormat.writeFloats(src, as: dtype, into: dst) }
            }
            let entry = raw.withUnsafeBytes {
                WireEntry.dense(variableID: 1, partition: 0, version: 0, dtype: dtype, shape: Shape([2, 3]), bytes: $0)
            }
            #expect(try entry.floats() == values, "dtype \(dtype.name)")
        }
    }

    @Test("pull requests: empty and key-only entries round-trip")
    func requests() throws {
        let frame = WireFrame(
            header: FrameHeader(kind: .pullRequest, requestID: 1, jobID: 2),
            entries: [
                .empty(variableID: 1, partition: 0, version: 3),
                .sparseKeys(variableID: 2, partition: 4, version: 3, dtype: .f32, shape: Shape([0, 16]), rowKeys: [1, -5, 1 << 50]),
            ])
        let decoded = try decodeResult(WireFormat.encode(frame)).get()
        #expect(decoded.entries[0].header == .empty(variableID: 1, partition: 0, version: 3))
        #expect(decoded.entries[1].rowKeys == [1, -5, 1 << 50])
        #expect(decoded.entries[1].header.payloadLength == 0)
        #expect(decoded.entries[1].header.flags == .noPayload)
    }

    @Test("long messages are cut to 4096 bytes on a character boundary")
    func longMessage() throws {
        let message = String(repeating: "é", count: 3000)  // 6000 bytes
        let frame = WireFrame(header: FrameHeader(kind: .error, requestID: 1, jobID: 1, status: 3, message: message))
        let decoded = try decodeResult(WireFormat.encode(frame)).get()
        #expect(decoded.header.message == String(repeating: "é", count: 2048))
    }
}

extension WireEntry {
    /// Gives a rank-0 dense entry its single element.
    fileprivate func withScalar(_ dtype: DType, _ rng: inout SeededGenerator) -> WireEntry {
        var copy = self
        copy.payload = RoundTripTests.payload(dtype, count: 1, rng: &rng)
        return copy
    }
}
