import ParameterStore
import TensorWire

extension DataPlaneHandler {
    /// A pull whose entries name row ranges of dense partitions (`EntryHeader.chunkRequest`: rank ≥ 1 shape, `rowOffset`):
    /// answers one dense chunk entry per request entry with those rows, all at one version, encoded straight from storage
    /// into the transport's buffer once the answer's size is checked and admitted beside the request's `requestBytes`.
    func answerChunks<Answer>(_ view: FrameView, requestBytes: Int, _ answer: AnswerWriter<Answer>) throws -> Answer {
        let jobID = view.header.jobID
        var ranges: [(key: PartitionKey, rows: Range<Int>)] = []
        var entries: [EntryHeader] = []
        ranges.reserveCapacity(view.entries.count)
        entries.reserveCapacity(view.entries.count)
        for e in view.entries {
            let h = e.header
            let key = PartitionKey(variableID: h.variableID, partition: h.partition)
            let spec = try shard.partition(jobID: jobID, key: key)
            let partition = spec.shape
            let rows = h.shape.rank == 0 ? spec.rowCount : h.shape.dims[0]
            // rowOffset and the row count come from the frame: any non-negative Int, so the end is checked.
            let (end, overflow) = h.rowOffset.addingReportingOverflow(rows)
            guard rows >= 0, !overflow, end <= spec.rowCount else {
                throw RuntimeFailure(
                    .invalidArgument,
                    "job \(jobID), variable \(spec.variable.name): \(rows) rows from row \(h.rowOffset) are outside the partition's \(spec.rowCount) rows")
            }
            ranges.append((key, h.rowOffset..<end))
            // A scalar travels as rows of one element (row ranges need rank ≥ 1): [1], or [0] for an empty range — the
            // shape must say exactly what is read (found by fuzz-dataplane: [1] over 0 rows trapped in the encoder).
            let shape = partition.rank == 0 ? Shape([rows]) : Shape([rows] + partition.dims.dropFirst())
            entries.append(.denseChunk(variableID: h.variableID, partition: h.partition, version: 0, dtype: .f32, shape: shape, rowOffset: h.rowOffset))
        }
        let header = FrameHeader(kind: .pullResponse, requestID: view.header.requestID, jobID: jobID)
        let size = try answerBytes(header, entries, jobID: jobID)
        try admission.admit(size, for: .pull, holding: requestBytes)
        defer { admission.release(size) }
        return try shard.read(jobID: jobID, ranges: ranges) { version, buffers in
            for i in entries.indices { entries[i].version = version }
            return try Self.writeFrame(header, entries, payloads: buffers, answer)
        }
    }
}
