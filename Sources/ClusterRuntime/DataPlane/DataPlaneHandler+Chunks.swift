import ParameterStore
import TensorWire

extension DataPlaneHandler {
    /// A pull whose entries name row ranges of dense partitions (`EntryHeader.chunkRequest`: rank ≥ 1 shape, `rowOffset`):
    /// answers one dense chunk entry per request entry with those rows, all at one version, encoded straight from storage
    /// into the transport's buffer.
    func answerChunks<Answer>(_ view: FrameView, _ answer: AnswerWriter<Answer>) throws -> Answer {
        let jobID = view.header.jobID
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
            return try Self.writeFrame(header, entries, payloads: buffers, answer)
        }
    }
}
