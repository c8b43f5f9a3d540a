import Testing
import TensorWire

/// `EntryFlags.existingRowsOnly` (bit 2, a serving replica's row read): valid on value-less sparse-rows entries,
/// refused on every other entry, and byte-exact through a round trip.
@Suite("existingRowsOnly flag")
struct ExistingRowsFlagTests {
    static func frame(_ entry: WireEntry) -> [UInt8] {
        WireFormat.encode(WireFrame(header: FrameHeader(kind: .pullRequest, requestID: 1, jobID: 1), entries: [entry]))
    }

    @Test("a value-less sparse-rows entry carries it through a round trip")
    func sparseKeys() throws {
        var keys = WireEntry.sparseKeys(variableID: 3, partition: 1, version: 0, dtype: .f32, shape: Shape([0, 2]), rowKeys: [1, -2, 99])
        keys.header.flags.insert(.existingRowsOnly)
        let bytes = Self.frame(keys)
        #expect(bytes[64 + 19] == 0b101)
        let decoded = try bytes.withUnsafeBytes { try WireFormat.decode($0) }
        #expect(decoded.entries[0].header.flags == [.noPayload, .existingRowsOnly] && decoded.entries[0].rowKeys == [1, -2, 99])
        #expect(WireFormat.encode(decoded) == bytes)
    }

    @Test("a dense entry or a sparse entry with values carrying it is refused naming the flag")
    func elsewhere() {
        var dense = Self.frame(.empty(variableID: 7, partition: 0, version: 0))
        dense[64 + 19] |= 0b100
        dense.reseal(entryStarts: [64])
        let error = decodeError(dense)
        #expect(error?.code == .badFlags && error?.message.contains("existingRowsOnly") == true, "\(String(describing: error))")
        let rows: [Float] = [1, 2]
        var valued = Self.frame(rows.withUnsafeBufferPointer {
            WireEntry.sparse(variableID: 7, partition: 0, version: 0, shape: Shape([0, 2]), rowKeys: [4], floats: $0)
        })
        valued[64 + 19] |= 0b100
        valued.reseal(entryStarts: [64])
        #expect(decodeError(valued)?.code == .badFlags)
    }
}
