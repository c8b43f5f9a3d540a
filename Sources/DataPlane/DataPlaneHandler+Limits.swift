import ParameterStore
import Synchronization
import TensorWire

/// Pulls of one shard waiting for a version it does not hold yet, counted across its transports.
final class PendingPulls: Sendable {
    private let waiting = Atomic<Int>(0)

    /// Pulls waiting now.
    var count: Int { waiting.load(ordering: .relaxed) }

    /// Takes a slot; false, taking none, when `limit` pulls already wait.
    func enter(limit: Int) -> Bool {
        let now = waiting.wrappingAdd(1, ordering: .relaxed).newValue
        guard now <= limit else {
            waiting.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Gives a slot back.
    func leave() { waiting.wrappingSubtract(1, ordering: .relaxed) }
}

/// What a request may make a shard hold or do: each refusal is a sentence naming the limit, changes nothing, and is
/// counted in `tessera_refused_total{limit}`.
extension DataPlaneHandler {
    /// The words every refusal of an answer over max_answer_bytes carries (a worker then pulls the same rows in chunks).
    public static let answerLimitMarker = "max_answer_bytes"

    /// Long-poll: returns once the job holds version `wanted` (at once when it already does or `wanted` is 0).
    /// RESOURCE_EXHAUSTED (an overload: clients back off and retry) when `limits.maxPendingPulls` pulls already wait;
    /// a waiting pull ends as soon as its task is cancelled (its connection or stream closed), freeing its slot.
    func awaitVersion(jobID: UInt64, atLeast wanted: UInt64) async throws {
        guard wanted > 0, try shard.version(jobID: jobID) < wanted else { return }
        guard pendingPulls.enter(limit: limits.maxPendingPulls) else {
            recordRefusal(.pendingPulls)
            throw RuntimeFailure(
                .resourceExhausted,
                "shard busy (\(DataPlaneAdmission.overloadMarker)): \(limits.maxPendingPulls) pulls already wait for a version on this "
                    + "shard (psd max_pending_pulls); job \(jobID)'s pull for version \(wanted) was refused: retry after a backoff")
        }
        defer { pendingPulls.leave() }
        _ = try await shard.waitForVersion(jobID: jobID, atLeast: wanted, timeout: maxPullWait)
    }

    /// INVALID_ARGUMENT when a pull names one partition in two entries: each is asked for once per pull.
    func refuseRepeatedPartitions(_ view: FrameView) throws {
        var seen = Set<PartitionKey>(minimumCapacity: view.entries.count)
        for e in view.entries where !seen.insert(PartitionKey(variableID: e.header.variableID, partition: e.header.partition)).inserted {
            throw RuntimeFailure(
                .invalidArgument,
                "pull for job \(view.header.jobID) names variable \(e.header.variableID) partition \(e.header.partition) twice: ask for each partition once per pull")
        }
    }

    /// INVALID_ARGUMENT when a sparse pull entry lists one row key twice: each row is asked for once per entry.
    func refuseRepeatedKeys(_ keys: [Int64], jobID: UInt64, _ header: EntryHeader) throws {
        var seen = Set<Int64>(minimumCapacity: keys.count)
        for k in keys where !seen.insert(k).inserted {
            throw RuntimeFailure(
                .invalidArgument,
                "pull for job \(jobID), variable \(header.variableID) partition \(header.partition) lists row key \(k) twice: ask for each row once per pull")
        }
    }

    /// The bytes of the answer frame `header` + `entries`, computed with overflow checks before anything is read or
    /// created; RESOURCE_EXHAUSTED naming the need and `limits.maxAnswerBytes` when it is larger.
    func answerBytes(_ header: FrameHeader, _ entries: [EntryHeader], jobID: UInt64) throws -> Int {
        // The entry factories set payloadLength to -1 when a payload's size overflows an Int.
        let overflows = entries.contains { $0.payloadLength < 0 }
        let size = overflows ? Int.max : WireFormat.encodedSize(header: header, entries: entries)
        guard size <= limits.maxAnswerBytes, size < Int.max else {
            recordRefusal(.answerBytes)
            let need = size == Int.max ? "more than \(Int.max)" : "\(size)"
            throw RuntimeFailure(
                .resourceExhausted,
                "pull for job \(jobID) asks for an answer of \(need) bytes, more than this shard's limit of \(limits.maxAnswerBytes) "
                    + "(psd \(Self.answerLimitMarker)): pull fewer partitions, rows or keys at once")
        }
        return size
    }

    /// Counts a refusal the store made for the memory limit (embedding rows on first touch) and returns the error.
    func counted(_ error: any Error) -> any Error {
        if let store = error as? StoreError, store.code == .resourceExhausted { recordRefusal(.memory) }
        return error
    }
}
