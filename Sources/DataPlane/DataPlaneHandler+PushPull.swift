import ParameterStore
import TensorWire

extension DataPlaneHandler {
    /// A push-and-pull (`FrameKind.pushPullRequest`): sizes the answer first (RESOURCE_EXHAUSTED over max_answer_bytes,
    /// with nothing applied), applies or counts the gradients as a `pushRequest` would, then answers the pushed
    /// partitions' values at the shard's version after it, the push's verdict in the frame's status and message — one
    /// round trip where a push and a pull took two. Whole dense partitions only: row chunks and embedding rows are
    /// refused with INVALID_ARGUMENT (a worker pushes those with a plain push).
    func pushAndPull<Answer>(_ view: FrameView, _ request: [UInt8], _ answer: AnswerWriter<Answer>) throws -> Answer {
        let jobID = view.header.jobID
        if let odd = view.entries.first(where: { $0.header.encoding != .dense || $0.header.flags.contains(.rowRange) }) {
            let what = odd.header.encoding == .dense ? "a row chunk" : "embedding rows"
            throw RuntimeFailure(
                .invalidArgument,
                "push-and-pull for job \(jobID) carries \(what) of variable \(odd.header.variableID) partition \(odd.header.partition): "
                    + "it takes whole dense partitions only; push chunks and rows with a plain push")
        }
        try refuseRepeatedPartitions(view)
        let keys = view.entries.map { PartitionKey(variableID: $0.header.variableID, partition: $0.header.partition) }
        var entries = try keys.map { key throws -> EntryHeader in
            let shape = try shard.partition(jobID: jobID, key: key).shape
            return EntryHeader.dense(variableID: key.variableID, partition: key.partition, version: 0, dtype: .f32, shape: shape)
        }
        // Sized with an empty message; the verdict's message (a stale or duplicate push) adds at most WireLimits' 4 KiB.
        let sizing = FrameHeader(kind: .pushPullResponse, requestID: view.header.requestID, jobID: jobID)
        let size = try answerBytes(sizing, entries, jobID: jobID)
        try admission.admit(size, for: .pull, holding: request.count)
        defer { admission.release(size) }
        let (version, outcome) = try pushDense(view, request)
        let header = pushVerdict(view, kind: .pushPullResponse, version: version, outcome: outcome).header
        return try shard.read(jobID: jobID, keys: keys) { current, buffers in
            for i in entries.indices { entries[i].version = current }
            return try Self.writeFrame(header, entries, payloads: buffers, answer)
        }
    }
}
