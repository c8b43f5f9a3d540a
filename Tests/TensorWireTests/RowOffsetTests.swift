import Testing
import TensorWire

@Suite("Row offsets and row-key partitioning")
struct RowOffsetTests {
    @Test func denseChunksAndChunkRequestsRoundTripTheirRowOffset() throws {
        let floats: [Float] = (0..<12).map(Float.init)
        var chunk = floats.withUnsafeBufferPointer {
            WireEntry.dense(variableID: 1, partition: 2, version: 3, shape: Shape([4, 3]), floats: $0)
        }
        chunk.header.rowOffset = 1_000_000
        chunk.header.flags.insert(.rowRange)
        let request = WireEntry(header: .chunkRequest(variableID: 1, partition: 2, version: 3, shape: Shape([4, 3]), rowOffset: 8))
        let bytes = WireFormat.encode(WireFrame(header: FrameHeader(kind: .pushRequest, requestID: 1, jobID: 2), entries: [chunk, request]))
        let frame = try bytes.withUnsafeBytes { raw throws(WireError) in try WireFormat.decode(raw) }
        #expect(frame.entries[0].header.rowOffset == 1_000_000)
        #expect(frame.entries[0].header.flags == .rowRange)
        #expect(try frame.entries[0].floats() == floats)
        #expect(frame.entries[1].header.rowOffset == 8)
        #expect(frame.entries[1].header.shape == Shape([4, 3]))
        #expect(!frame.entries[1].header.hasPayload)
    }

    @Test func offsetZeroEncodesExactlyAsBefore() {
        let plain = WireEntry.empty(variableID: 4, partition: 0, version: 9)
        var explicit = plain
        explicit.header.rowOffset = 0
        let header = FrameHeader(kind: .pullRequest, requestID: 5, jobID: 6)
        #expect(WireFormat.encode(WireFrame(header: header, entries: [plain])) == WireFormat.encode(WireFrame(header: header, entries: [explicit])))
    }

    @Test func rowOffsetOnSparseOrScalarEntriesIsRejected() {
        var sparse = WireEntry.sparseKeys(variableID: 1, partition: 0, version: 0, dtype: .f32, shape: Shape([0, 2]), rowKeys: [1])
        sparse.header.rowOffset = 3
        sparse.header.flags.insert(.rowRange)
        var scalar = WireEntry.empty(variableID: 1, partition: 0, version: 0)
        scalar.header.rowOffset = 1
        scalar.header.flags.insert(.rowRange)
        var unflagged = WireEntry.empty(variableID: 1, partition: 0, version: 0)
        unflagged.header.shape = Shape([2])
        unflagged.header.rowOffset = 1
        for entry in [sparse, scalar, unflagged] {
            #expect(throws: WireError.self) {
                try WireFormat.encodeChecked(WireFrame(header: FrameHeader(kind: .pullRequest, requestID: 1, jobID: 1), entries: [entry]))
            }
        }
    }

    @Test func rowKeyPartitionerIsStableAndSpreadsKeys() {
        #expect(RowKeyPartitioner.shardIndex(forRowKey: 12345, shardCount: 1) == 0)
        var counts = [0, 0, 0, 0]
        for k in 0..<4000 { counts[RowKeyPartitioner.shardIndex(forRowKey: Int64(k), shardCount: 4)] += 1 }
        #expect(counts.allSatisfy { $0 > 850 && $0 < 1150 })
        // Pinned values: changing the rule would move every existing embedding row.
        #expect((0..<8).map { RowKeyPartitioner.shardIndex(forRowKey: Int64($0), shardCount: 3) } == PinnedShards.firstEightOfThree)
        #expect(RowKeyPartitioner.shardIndex(forRowKey: -1, shardCount: 7) == PinnedShards.minusOneOfSeven)
    }
}

/// Values of the shared row-key rule computed independently (Python, SplitMix64 finaliser mod n).
private enum PinnedShards {
    static let firstEightOfThree = [1, 2, 1, 0, 1, 2, 2, 0]
    static let minusOneOfSeven = 0
}
