import Testing
import TensorWire

@Suite("Byte-exact fixtures")
struct FixtureTests {
    @Test("encoding each fixture frame gives exactly the fixture bytes", arguments: Fixtures.all.map(\.0))
    func encodeMatchesFixture(name: String) throws {
        let (_, hex, frame) = try #require(Fixtures.all.first { $0.0 == name })
        let expected = hexBytes(hex)
        let encoded = WireFormat.encode(frame)
        #expect(encoded.count == expected.count)
        #expect(hexString(encoded) == hexString(expected))
        #expect(WireFormat.encodedSize(header: frame.header, entries: frame.entries.map(\.header)) == expected.count)
    }

    @Test("decoding each fixture gives back the frame", arguments: Fixtures.all.map(\.0))
    func decodeFixture(name: String) throws {
        let (_, hex, frame) = try #require(Fixtures.all.first { $0.0 == name })
        let decoded = try decodeResult(hexBytes(hex)).get()
        #expect(decoded.header == frame.header)
        #expect(decoded.entries.count == frame.entries.count)
        for (a, b) in zip(decoded.entries, frame.entries) {
            #expect(a.header == b.header)
            #expect(a.rowKeys == b.rowKeys)
            #expect(a.payload == b.payload)
        }
    }

    @Test("fixture contents read back as a user expects")
    func fixtureValues() throws {
        let dense = try decodeResult(hexBytes(Fixtures.densePushHex)).get()
        #expect(dense.header.kind == .pushRequest)
        #expect(dense.entries[0].header.shape == Shape([2, 2]))
        #expect(try dense.entries[0].floats() == [1, 2, 3, 4])

        let sparse = try decodeResult(hexBytes(Fixtures.sparsePushHex)).get()
        #expect(sparse.entries[0].header.encoding == .sparseRows)
        #expect(sparse.entries[0].rowKeys == [5, 900])
        #expect(sparse.entries[0].header.payloadLength == 8)
        #expect(try sparse.entries[0].floats() == [1, -2, 0.5, 65504])

        let pull = try decodeResult(hexBytes(Fixtures.pullRequestHex)).get()
        #expect(pull.entries[0].header == .empty(variableID: 7, partition: 1, version: 5))
        #expect(!pull.entries[0].header.hasPayload)

        let error = try decodeResult(hexBytes(Fixtures.errorHex)).get()
        #expect(error.header.status == 14)
        #expect(error.header.message == "shard 2 is draining")
    }

    @Test("the zero-copy view points at 64-byte aligned row keys and payload")
    func viewOffsets() throws {
        let bytes = hexBytes(Fixtures.sparsePushHex)
        let view = try bytes.withUnsafeBytes { raw in try WireFormat.decodeView(raw) }
        let entry = try #require(view.entries.first)
        #expect(entry.rowKeysOffset == 192)
        #expect(entry.payloadOffset == 256)
        bytes.withUnsafeBytes { raw in
            #expect(entry.rowKeys(in: raw) == [5, 900])
            #expect(entry.rowKey(1, in: raw) == 900)
            #expect(Array(entry.payload(in: raw)) == [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0xFF, 0x7B])
        }
    }

    @Test("peekFrameLength reads the total length from the first 64 bytes")
    func peek() throws {
        let bytes = hexBytes(Fixtures.densePushHex)
        let length = try bytes.withUnsafeBytes { raw in try WireFormat.peekFrameLength(UnsafeRawBufferPointer(rebasing: raw[0..<64])) }
        #expect(length == 256)
        let short = try bytes.withUnsafeBytes { raw in try WireFormat.peekFrameLength(UnsafeRawBufferPointer(rebasing: raw[0..<63])) }
        #expect(short == nil)
    }
}
