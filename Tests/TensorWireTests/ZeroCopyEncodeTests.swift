import Testing
import TensorWire

@Suite("Zero-copy encode")
struct ZeroCopyEncodeTests {
    struct Boom: Error {}

    @Test("the payload writer fills exact-size regions in place and the frame decodes")
    func writerFillsRegions() throws {
        let header = FrameHeader(kind: .pushRequest, requestID: 5, jobID: 6, senderID: 7)
        let entries: [EntryHeader] = [
            .dense(variableID: 1, partition: 0, version: 4, dtype: .bf16, shape: Shape([3, 3])),
            .sparse(variableID: 2, partition: 1, version: 4, dtype: .f32, shape: Shape([100, 2]), rowCount: 3),
        ]
        let size = WireFormat.encodedSize(header: header, entries: entries)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size + 100, alignment: 64)
        defer { buffer.deallocate() }
        var seen: [Int] = []
        let written = try WireFormat.encode(header: header, entries: entries, into: buffer) { i, dest in
            seen.append(i)
            if i == 0 {
                #expect(dest.rowKeys.count == 0 && dest.payload.count == 18)
                let values: [Float] = (0..<9).map { Float($0) }
                try values.withUnsafeBufferPointer { src in try WireFormat.writeFloats(src, as: .bf16, into: dest.payload) }
            } else {
                #expect(dest.rowKeys.count == 3 && dest.payload.count == 24)
                for k in 0..<3 { dest.rowKeys[k] = Int64(k * 10) }
                let values: [Float] = [1, 2, 3, 4, 5, 6]
                values.withUnsafeBytes { dest.payload.copyMemory(from: $0) }
            }
        }
        #expect(written == size)
        #expect(seen == [0, 1])
        let frame = try WireFormat.decode(UnsafeRawBufferPointer(rebasing: buffer[0..<written]))
        #expect(try frame.entries[0].floats() == (0..<9).map { Float($0) })
        #expect(frame.entries[1].rowKeys == [0, 10, 20])
        #expect(try frame.entries[1].floats() == [1, 2, 3, 4, 5, 6])
    }

    @Test("too small, misaligned and invalid requests are errors; writer errors propagate")
    func errors() throws {
        let header = FrameHeader(kind: .pushRequest, requestID: 1, jobID: 1)
        let entries: [EntryHeader] = [.dense(variableID: 1, partition: 0, version: 0, dtype: .f32, shape: Shape([4]))]
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 512, alignment: 64)
        defer { buffer.deallocate() }
        func code(_ body: () throws -> Void) -> WireError.Code? {
            do { try body() } catch let e as WireError { return e.code } catch { return nil }
            return nil
        }
        #expect(code { _ = try WireFormat.encode(header: header, entries: entries, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<100])) { _, _ in } } == .bufferTooSmall)
        #expect(code { _ = try WireFormat.encode(header: header, entries: entries, into: UnsafeMutableRawBufferPointer(rebasing: buffer[4...])) { _, _ in } } == .misaligned)
        var bad = entries[0]
        bad.payloadLength = 12
        #expect(code { _ = try WireFormat.encode(header: header, entries: [bad], into: buffer) { _, _ in } } == .badLength)
        var negative = entries[0]
        negative.shape = Shape([-4])
        #expect(code { _ = try WireFormat.encode(header: header, entries: [negative], into: buffer) { _, _ in } } == .badShape)
        #expect(throws: Boom.self) { _ = try WireFormat.encode(header: header, entries: entries, into: buffer) { _, _ in throw Boom() } }

        var entry = WireEntry.empty(variableID: 1, partition: 0, version: 0)
        entry.payload = [1, 2, 3]
        #expect(throws: WireError.self) { try WireFormat.encodeChecked(WireFrame(header: header, entries: [entry])) }
    }
}
