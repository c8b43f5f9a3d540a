import ParameterStore
import TensorWire

extension DataPlaneHandler {
    /// A pull whose entries name row ranges of dense partitions (`EntryHeader.chunkRequest`: rank ≥ 1 shape, `rowOffset`):
    /// answers one dense chunk entry per request entry with those rows, all at one version, encoded straight from storage.
    func pullChunks(_ view: FrameView) async throws -> [UInt8] {
        let jobID = view.header.jobID
        let wanted = view.entries.map(\.header.version).max() ?? 0
        if wanted > 0 {
            _ = try await shard.waitForVersion(jobID: jobID, atLeast: wanted, timeout: maxPullWait)
        }
        let specs = try shard.partitions(jobID: jobID)
        var ranges: [(key: PartitionKey, rows: Range<Int>)] = []
        var shapes: [Shape] = []
        for e in view.entries {
            let h = e.header
            guard let spec = specs.first(where: { $0.variableID == h.variableID && $0.partition == h.partition }) else {
                throw RuntimeFailure(.notFound, "job \(jobID) has no variable \(h.variableID) partition \(h.partition) on this shard")
            }
            let partition = spec.shape
            let rows = h.shape.rank == 0 ? spec.rowCount : h.shape.dims[0]
            let (end, overflow) = h.rowOffset.addingReportingOverflow(rows)
            guard !overflow, end <= spec.rowCount else {
                throw RuntimeFailure(.invalidArgument, "job \(jobID), variable \(spec.variable.name): rows \(h.rowOffset)..<\(end) are outside the partition's \(spec.rowCount) rows")
            }
            ranges.append((PartitionKey(variableID: h.variableID, partition: h.partition), h.rowOffset..<end))
            // A scalar travels as one row of one element (row ranges need rank ≥ 1).
            shapes.append(partition.rank == 0 ? Shape([1]) : Shape([rows] + partition.dims.dropFirst()))
        }
        return try shard.read(jobID: jobID, ranges: ranges) { version, buffers in
            let header = FrameHeader(kind: .pullResponse, requestID: view.header.requestID, jobID: jobID)
            let entries = zip(ranges, shapes).map { r, shape in
                EntryHeader.denseChunk(
                    variableID: r.key.variableID, partition: r.key.partition, version: version, dtype: .f32, shape: shape,
                    rowOffset: r.rows.lowerBound)
            }
            let size = WireFormat.encodedSize(header: header, entries: entries)
            return try [UInt8](unsafeUninitializedCapacity: size) { out, count in
                count = try WireFormat.encode(header: header, entries: entries, into: UnsafeMutableRawBufferPointer(out)) { index, destination in
                    destination.payload.copyMemory(from: UnsafeRawBufferPointer(buffers[index]))
                }
            }
        }
    }
}
