import ParameterStore
import TensorWire

extension DataPlaneHandler {
    /// A pull whose entries are `sparseRows` key lists: answers one `sparseRows` entry per request entry
    /// (the same keys, then the rows in key order), all at one version, rows created on first touch — or, when the
    /// entries carry `existingRowsOnly` (serving replicas), not created: unknown rows are answered with their initial
    /// values. Each partition and each row key is asked for once; the answer's size is checked and admitted before any
    /// row is created.
    func pullSparse<Answer>(_ view: FrameView, _ request: [UInt8], _ answer: AnswerWriter<Answer>) async throws -> Answer {
        let jobID = view.header.jobID
        guard view.entries.allSatisfy({ $0.header.encoding == .sparseRows }) else {
            throw RuntimeFailure(.invalidArgument, "pull for job \(jobID) mixes dense and sparse-rows entries; send them in separate pulls")
        }
        let readOnly = view.entries.filter { $0.header.flags.contains(.existingRowsOnly) }.count
        guard readOnly == 0 || readOnly == view.entries.count else {
            throw RuntimeFailure(.invalidArgument, "pull for job \(jobID) mixes entries that create rows and entries that only read existing ones; send them in separate pulls")
        }
        try refuseRepeatedPartitions(view)
        let keyLists = request.withUnsafeBytes { raw in view.entries.map { $0.rowKeys(in: raw) } }
        for (e, keys) in zip(view.entries, keyLists) { try refuseRepeatedKeys(keys, jobID: jobID, e.header) }
        try await awaitVersion(jobID: jobID, atLeast: view.entries.map(\.header.version).max() ?? 0)
        var entries = try zip(view.entries, keyLists).map { e, keys throws -> EntryHeader in
            let key = PartitionKey(variableID: e.header.variableID, partition: e.header.partition)
            let spec = try shard.partition(jobID: jobID, key: key)
            guard spec.isSparse else {
                throw RuntimeFailure(.invalidArgument, "job \(jobID), variable \(spec.variable.name) (\(key)): a dense partition is pulled densely, not by row keys")
            }
            let shape = spec.variable.shape
            return EntryHeader.sparse(variableID: key.variableID, partition: key.partition, version: 0, dtype: .f32, shape: shape, rowCount: keys.count)
        }
        let header = FrameHeader(kind: .pullResponse, requestID: view.header.requestID, jobID: jobID)
        let size = try answerBytes(header, entries, jobID: jobID)
        try admission.admit(size, for: .pull, holding: request.count)
        defer { admission.release(size) }
        return try Self.withBuffers(keyLists) { keyBuffers in
            let requests = zip(entries, keyBuffers).map { e, keys in
                (key: PartitionKey(variableID: e.variableID, partition: e.partition), rowKeys: keys)
            }
            return try shard.pullSparse(jobID: jobID, requests: requests, creating: readOnly == 0) { version, views in
                for i in entries.indices { entries[i].version = version }
                return try answer(size) { out in
                    try WireFormat.encode(header: header, entries: entries, into: out) { i, destination in
                        _ = destination.rowKeys.initialize(fromContentsOf: keyBuffers[i])
                        views[i].copy(into: destination.payload)
                    }
                }
            }
        }
    }

    /// A push carrying sparse-rows entries (and possibly dense ones): one store push, all-or-nothing.
    func pushMixed(_ view: FrameView, _ request: [UInt8]) throws -> [UInt8] {
        let jobID = view.header.jobID
        let version = view.entries[0].header.version
        for e in view.entries {
            let h = e.header
            guard h.dtype == .f32, h.hasPayload else {
                throw RuntimeFailure(.invalidArgument, "variable \(h.variableID): only f32 gradients with values are accepted, got \(h.dtype.name)")
            }
            guard h.version == version else {
                throw RuntimeFailure(.invalidArgument, "push mixes versions \(version) and \(h.version): one push carries gradients of one version")
            }
        }
        let keyLists = request.withUnsafeBytes { raw in
            view.entries.map { $0.header.encoding == .sparseRows ? $0.rowKeys(in: raw) : [] }
        }
        let outcome = try Self.withBuffers(keyLists) { keyBuffers in
            try request.withUnsafeBytes { raw in
                var gradients: [PushRequest.Gradient] = []
                gradients.reserveCapacity(view.entries.count)
                for (i, e) in view.entries.enumerated() {
                    let key = PartitionKey(variableID: e.header.variableID, partition: e.header.partition)
                    let floats = e.payload(in: raw).bindMemory(to: Float.self)
                    gradients.append(e.header.encoding == .sparseRows ? .sparse(key, rowKeys: keyBuffers[i], rows: floats) : .partition(key, floats))
                }
                return try shard.push(PushRequest(jobID: jobID, workerID: view.header.senderID, version: version, gradients: gradients))
            }
        }
        return pushAnswer(view, version: version, outcome: outcome)
    }

    /// Runs `body` with each array as a buffer pointer (row keys copied out of the frame: aligned, host order).
    static func withBuffers<R>(_ lists: [[Int64]], _ body: ([UnsafeBufferPointer<Int64>]) throws -> R) throws -> R {
        var buffers: [UnsafeBufferPointer<Int64>] = []
        buffers.reserveCapacity(lists.count)
        func recurse(_ i: Int) throws -> R {
            if i == lists.count { return try body(buffers) }
            return try lists[i].withUnsafeBufferPointer { b in
                buffers.append(b)
                return try recurse(i + 1)
            }
        }
        return try recurse(0)
    }
}
