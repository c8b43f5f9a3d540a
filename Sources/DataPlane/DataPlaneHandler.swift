import Logging
import ParameterStore
import TensorWire

/// The shard side of the data plane, independent of transport: decodes a request frame, runs it
/// against the `ParameterShard`, and encodes the answer.
///
/// Push gradients are read straight out of the request buffer; pull answers are encoded straight
/// from the variables' storage into the response buffer.
public struct DataPlaneHandler: Sendable {
    let shard: ParameterShard
    let logger: Logger
    /// Longest a sync-mode pull waits for the next version before answering DEADLINE_EXCEEDED.
    let maxPullWait: Duration
    /// The shard's cap on request and answer bytes in flight (shared by every transport serving the shard).
    public let admission: DataPlaneAdmission
    /// The psd's limits; the handler enforces `maxAnswerBytes` and `maxPendingPulls`.
    public let limits: ServerLimits
    /// Pulls waiting for a version now (shared by every transport serving the shard).
    let pendingPulls = PendingPulls()
    /// Counts what the handler refuses (pending pulls, answer bytes, memory) by limit.
    let recordRefusal: RefusalRecorder

    /// Creates a handler over a shard.
    public init(
        shard: ParameterShard, logger: Logger, maxPullWait: Duration = .seconds(30), admission: DataPlaneAdmission = DataPlaneAdmission(),
        limits: ServerLimits = .default, recordRefusal: @escaping RefusalRecorder = { _ in }
    ) {
        self.recordRefusal = recordRefusal
        self.shard = shard
        self.logger = logger
        self.maxPullWait = maxPullWait
        self.admission = admission
        self.limits = limits
    }

    /// Pulls waiting now for a version the shard does not hold yet.
    public var pendingPullCount: Int { pendingPulls.count }

    /// Handles one request frame and returns the encoded response frame; RESOURCE_EXHAUSTED when the shard's admission limit is reached.
    public func handle(_ method: DataPlaneMethod, request: [UInt8]) async throws -> [UInt8] {
        try await handle(method, request: request) { bytes, encode in
            try [UInt8](unsafeUninitializedCapacity: bytes) { out, count in count = try encode(UnsafeMutableRawBufferPointer(out)) }
        }
    }

    /// Handles one request frame, writing the response frame with `answer` (given at most how many bytes it takes
    /// and the encoder that fills them, returning the bytes written) straight where the transport sends it from:
    /// a dense pull is encoded from the variables' storage into that buffer with no copy in between.
    public func handle<Answer>(
        _ method: DataPlaneMethod, request: [UInt8], answer: AnswerWriter<Answer>
    ) async throws -> Answer {
        try admission.admit(request.count, for: method)
        defer { admission.release(request.count) }
        do {
            switch method {
            case .pull: return try await pull(request, answer)
            case .push:
                try await waitWhilePaused(request)
                return try pushFrame(request, answer)
            }
        } catch {
            throw counted(error)
        }
    }

    /// Handles a request that needs no waiting right here (on the transport's thread, saving two thread hops): a push
    /// while no job is paused, or a dense pull whose version the shard already holds, of at most `limit` request bytes.
    /// Returns nil, having done nothing, for anything else, which goes through `handle`.
    public func handleAtOnce<Answer>(
        _ method: DataPlaneMethod, request: [UInt8], limit: Int, answer: AnswerWriter<Answer>
    ) throws -> Answer? {
        guard request.count <= limit else { return nil }
        do {
            switch method {
            case .push:
                guard !shard.hasPausedJobs else { return nil }
                try admission.admit(request.count, for: method)
                defer { admission.release(request.count) }
                return try pushFrame(request, answer)
            case .pull:
                let view = try decode(request, expecting: .pullRequest)
                guard !view.entries.contains(where: { $0.header.encoding == .sparseRows }) else { return nil }
                let wanted = view.entries.map(\.header.version).max() ?? 0
                guard wanted == 0 || ((try? shard.version(jobID: view.header.jobID)) ?? 0) >= wanted else { return nil }
                try admission.admit(request.count, for: method)
                defer { admission.release(request.count) }
                return try answerPull(view, requestBytes: request.count, answer)
            }
        } catch {
            throw counted(error)
        }
    }

    /// Encodes a pull answer with `answer`, each entry's payload copied (and checksummed in the same pass) from storage.
    static func writeFrame<Answer>(
        _ header: FrameHeader, _ entries: [EntryHeader], payloads: [UnsafeBufferPointer<Float>], _ answer: AnswerWriter<Answer>
    ) throws -> Answer {
        try answer(WireFormat.encodedSize(header: header, entries: entries)) { out in
            try WireFormat.encode(header: header, entries: entries, into: out) { index, destination in
                destination.copyPayload(from: UnsafeRawBufferPointer(payloads[index]))
            }
        }
    }

    /// Hands an already encoded response frame to `answer`.
    static func write<Answer>(_ frame: [UInt8], _ answer: AnswerWriter<Answer>) throws -> Answer {
        try answer(frame.count) { out in
            frame.withUnsafeBytes { out.copyMemory(from: $0) }
            return frame.count
        }
    }

    /// While an async checkpoint pauses the pushed job (rare), waits until it resumes.
    private func waitWhilePaused(_ request: [UInt8]) async throws {
        guard shard.hasPausedJobs,
            let view = try? request.withUnsafeBytes({ raw throws(WireError) in try WireFormat.decodeView(raw) })
        else { return }
        await shard.waitWhilePaused(jobID: view.header.jobID)
    }

    func decode(_ request: [UInt8], expecting kind: FrameKind, or other: FrameKind? = nil) throws -> FrameView {
        let view: FrameView
        do {
            view = try request.withUnsafeBytes { raw throws(WireError) in try WireFormat.decodeView(raw) }
        } catch {
            // A frame over the limits is too large (RESOURCE_EXHAUSTED); anything else is malformed.
            let code: RuntimeFailure.Code = (error as? WireError)?.code == .limitExceeded ? .resourceExhausted : .invalidArgument
            throw RuntimeFailure(code, "malformed TensorWire frame: \(error)")
        }
        guard view.header.kind == kind || view.header.kind == other else {
            let expected = other.map { "a \(kind) or \($0)" } ?? "a \(kind)"
            throw RuntimeFailure(.invalidArgument, "expected \(expected) frame, got \(view.header.kind)")
        }
        guard !view.entries.isEmpty else {
            throw RuntimeFailure(.invalidArgument, "\(kind) frame for job \(view.header.jobID) names no variables")
        }
        return view
    }

    private func pull<Answer>(_ request: [UInt8], _ answer: AnswerWriter<Answer>) async throws -> Answer {
        let view = try decode(request, expecting: .pullRequest)
        if view.entries.contains(where: { $0.header.encoding == .sparseRows }) {
            return try await pullSparse(view, request, answer)
        }
        try refuseRepeatedPartitions(view)
        try await awaitVersion(jobID: view.header.jobID, atLeast: view.entries.map(\.header.version).max() ?? 0)
        return try answerPull(view, requestBytes: request.count, answer)
    }

    /// Answers a dense pull (whole partitions or row ranges) at the shard's current version, encoded from storage
    /// once its size is known to be within `limits.maxAnswerBytes` and admitted beside the request's `requestBytes`.
    private func answerPull<Answer>(_ view: FrameView, requestBytes: Int, _ answer: AnswerWriter<Answer>) throws -> Answer {
        try refuseRepeatedPartitions(view)
        if view.entries.contains(where: { $0.header.flags.contains(.rowRange) }) { return try answerChunks(view, requestBytes: requestBytes, answer) }
        let jobID = view.header.jobID
        let keys = view.entries.map { PartitionKey(variableID: $0.header.variableID, partition: $0.header.partition) }
        var entries = try keys.map { key throws -> EntryHeader in
            let shape = try shard.partition(jobID: jobID, key: key).shape
            return EntryHeader.dense(variableID: key.variableID, partition: key.partition, version: 0, dtype: .f32, shape: shape)
        }
        let header = FrameHeader(kind: .pullResponse, requestID: view.header.requestID, jobID: jobID)
        let size = try answerBytes(header, entries, jobID: jobID)
        try admission.admit(size, for: .pull, holding: requestBytes)
        defer { admission.release(size) }
        return try shard.read(jobID: jobID, keys: keys) { version, buffers in
            for i in entries.indices { entries[i].version = version }
            return try Self.writeFrame(header, entries, payloads: buffers, answer)
        }
    }

    /// Handles a push frame: a `pushRequest` is answered with an acknowledgement, a `pushPullRequest` with the pushed
    /// partitions' values after the apply (`pushAndPull`, one round trip instead of a push and a pull).
    private func pushFrame<Answer>(_ request: [UInt8], _ answer: AnswerWriter<Answer>) throws -> Answer {
        let view = try decode(request, expecting: .pushRequest, or: .pushPullRequest)
        if view.header.kind == .pushPullRequest { return try pushAndPull(view, request, answer) }
        if view.entries.contains(where: { $0.header.encoding == .sparseRows }) { return try Self.write(try pushMixed(view, request), answer) }
        let (version, outcome) = try pushDense(view, request)
        return try Self.write(pushAnswer(view, version: version, outcome: outcome), answer)
    }

    /// Applies (async) or counts (sync) a push of dense partitions or row chunks; returns the version the gradients
    /// were computed on and what the shard did with them.
    func pushDense(_ view: FrameView, _ request: [UInt8]) throws -> (version: UInt64, outcome: PushOutcome) {
        let jobID = view.header.jobID
        let version = view.entries[0].header.version
        // A push with any row-range entry is one message of a chunked push: each entry is then the rows at its offset.
        let chunked = view.entries.contains { $0.header.flags.contains(.rowRange) }
        let outcome = try request.withUnsafeBytes { raw in
            var gradients: [PushRequest.Gradient] = []
            gradients.reserveCapacity(view.entries.count)
            for entry in view.entries {
                let h = entry.header
                guard h.encoding == .dense, h.dtype == .f32 else {
                    throw RuntimeFailure(.invalidArgument, "variable \(h.variableID): only dense f32 gradients are accepted, got \(h.encoding) \(h.dtype.name)")
                }
                guard h.version == version else {
                    throw RuntimeFailure(.invalidArgument, "push mixes versions \(version) and \(h.version): one push carries gradients of one version")
                }
                let bytes = UnsafeRawBufferPointer(rebasing: raw[entry.payloadOffset..<(entry.payloadOffset + h.payloadLength)])
                let floats = bytes.bindMemory(to: Float.self)
                let key = PartitionKey(variableID: h.variableID, partition: h.partition)
                gradients.append(chunked ? .rows(key, rowOffset: h.rowOffset, floats) : .partition(key, floats))
            }
            return try shard.push(PushRequest(jobID: jobID, workerID: view.header.senderID, version: version, gradients: gradients))
        }
        return (version, outcome)
    }

    /// The push response frame for `outcome`: status ok or stale, and the version to report. A duplicate is answered
    /// stale too (the frame has no other status a worker understands), its message starting `PushStatus.duplicateMarker`.
    func pushAnswer(_ view: FrameView, version: UInt64, outcome: PushOutcome) -> [UInt8] {
        let (header, reported) = pushVerdict(view, kind: .pushResponse, version: version, outcome: outcome)
        let ack = EntryHeader.empty(variableID: 0, partition: 0, version: reported)
        return WireFormat.encode(WireFrame(header: header, entries: [WireEntry(header: ack, rowKeys: [], payload: [])]))
    }

    /// The answer header (of `kind`) saying what became of a push, and the version to report with it.
    func pushVerdict(_ view: FrameView, kind: FrameKind, version: UInt64, outcome: PushOutcome) -> (header: FrameHeader, reported: UInt64) {
        let jobID = view.header.jobID
        var header = FrameHeader(kind: kind, requestID: view.header.requestID, jobID: jobID)
        let reported: UInt64
        switch outcome {
        case .applied(let newVersion):
            reported = newVersion
        case .accumulated:
            reported = version
        case .dropped(let staleBy):
            header.status = PushStatus.stale
            header.message = "gradient computed on version \(version) is \(staleBy) versions stale: pull again"
            reported = version &+ staleBy
        case .duplicate:
            header.status = PushStatus.stale
            header.message = "\(PushStatus.duplicateMarker) worker \(view.header.senderID) already delivered these gradients for version \(version): pull again"
            reported = version
        }
        return (header, reported)
    }
}

/// Writes a response frame of at most `bytes` bytes with `encode` (which returns the bytes it wrote) into the
/// transport's own buffer and returns the transport's handle on it: an array for gRPC, a send buffer for native.
public typealias AnswerWriter<Answer> = (_ bytes: Int, _ encode: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Answer

/// Frame-level status codes of a push response (gRPC status covers errors).
public enum PushStatus {
    /// The gradient was applied or accumulated.
    public static let ok: UInt32 = 0
    /// The gradient was too old and dropped; the worker should pull again. Also the answer to a duplicate push.
    public static let stale: UInt32 = 1
    /// Begins the message of a stale answer that is really a duplicate (the worker already delivered these gradients for
    /// the version), so metrics and workers can count duplicates apart without a new frame status.
    public static let duplicateMarker = "duplicate:"
}

/// What a push answer says became of the gradient, read from its frame header.
public enum PushVerdict: Sendable, Equatable {
    /// Applied or accumulated.
    case accepted
    /// Dropped as stale: pull again.
    case stale
    /// The shard had it already for this version (status stale, message starting `PushStatus.duplicateMarker`).
    case duplicate

    /// The verdict of a push response frame's header.
    public init(_ header: FrameHeader) {
        if header.status == PushStatus.ok {
            self = .accepted
        } else {
            self = header.message.hasPrefix(PushStatus.duplicateMarker) ? .duplicate : .stale
        }
    }
}
