import Metrics
import TensorWire

/// The data-plane metrics of one shard, created once and recorded on every request by any
/// transport (gRPC here; the native transport calls `record` the same way).
public struct ShardMetrics: Sendable {
    let pushes: Counter
    let pushBytes: Counter
    let pulls: Counter
    let pullBytes: Counter
    let apply: Metrics.Timer
    let inFlight: Meter
    let staleDropped: Counter
    let duplicateDropped: Counter
    let pushErrors: Counter
    let pullErrors: Counter

    /// Creates (or finds) the metrics labelled with the shard's name.
    public init(shard: String) {
        let factory = TesseraMetrics.factory
        let labels = [("shard", shard)]
        typealias N = TesseraMetrics.Name
        pushes = Counter(label: N.pushTotal, dimensions: labels, factory: factory)
        pushBytes = Counter(label: N.pushBytesTotal, dimensions: labels, factory: factory)
        pulls = Counter(label: N.pullTotal, dimensions: labels, factory: factory)
        pullBytes = Counter(label: N.pullBytesTotal, dimensions: labels, factory: factory)
        apply = Metrics.Timer(label: N.applySeconds, dimensions: labels, factory: factory)
        inFlight = Meter(label: N.queueDepth, dimensions: labels, factory: factory)
        staleDropped = Counter(label: N.staleDroppedTotal, dimensions: labels, factory: factory)
        duplicateDropped = Counter(label: N.duplicateDroppedTotal, dimensions: labels, factory: factory)
        pushErrors = Counter(label: N.dataPlaneErrorsTotal, dimensions: labels + [("method", "push")], factory: factory)
        pullErrors = Counter(label: N.dataPlaneErrorsTotal, dimensions: labels + [("method", "pull")], factory: factory)
    }

    /// Runs one data-plane request, counting it, its bytes, its time (pushes) and the requests in flight.
    public func record(
        _ method: DataPlaneMethod, request: [UInt8], _ body: () async throws -> [UInt8]
    ) async throws -> [UInt8] {
        try await record(method, requestBytes: request.count, bytes: \.count, verdict: { $0.withUnsafeBytes(Self.pushVerdict) }, body)
    }

    /// `record` for an answer held in a transport's own buffer: `bytes` gives its frame's size, `verdict` what a push
    /// answer says became of the gradient (`pushVerdict` of the frame), so stale and duplicate pushes count apart.
    public func record<Answer>(
        _ method: DataPlaneMethod, requestBytes: Int, bytes: (Answer) -> Int, verdict: (Answer) -> PushVerdict?, _ body: () async throws -> Answer
    ) async throws -> Answer {
        inFlight.increment()
        defer { inFlight.decrement() }
        let start = ContinuousClock.now
        do {
            let reply = try await body()
            count(method, requestBytes: requestBytes, answerBytes: { bytes(reply) }, verdict: { verdict(reply) }, since: start)
            return reply
        } catch {
            (method == .push ? pushErrors : pullErrors).increment()
            throw error
        }
    }

    /// `record` for `DataPlaneHandler.handleAtOnce`: a nil answer (the request was not handled) counts nothing.
    public func recordAtOnce<Answer>(
        _ method: DataPlaneMethod, requestBytes: Int, bytes: (Answer) -> Int, verdict: (Answer) -> PushVerdict?, _ body: () throws -> Answer?
    ) throws -> Answer? {
        inFlight.increment()
        defer { inFlight.decrement() }
        let start = ContinuousClock.now
        do {
            guard let reply = try body() else { return nil }
            count(method, requestBytes: requestBytes, answerBytes: { bytes(reply) }, verdict: { verdict(reply) }, since: start)
            return reply
        } catch {
            (method == .push ? pushErrors : pullErrors).increment()
            throw error
        }
    }

    private func count(_ method: DataPlaneMethod, requestBytes: Int, answerBytes: () -> Int, verdict: () -> PushVerdict?, since start: ContinuousClock.Instant) {
        switch method {
        case .push:
            apply.recordInterval(since: start)
            pushes.increment()
            pushBytes.increment(by: requestBytes)
            switch verdict() {
            case .stale: staleDropped.increment()
            case .duplicate: duplicateDropped.increment()
            case .accepted, nil: break
            }
        case .pull:
            pulls.increment()
            pullBytes.increment(by: answerBytes())
        }
    }

    /// What a push response frame says became of the gradient; nil for bytes that are not a frame.
    static func pushVerdict(_ frame: UnsafeRawBufferPointer) -> PushVerdict? {
        (try? WireFormat.decodeView(frame)).map { PushVerdict($0.header) }
    }
}

extension Metrics.Timer {
    /// Records the time elapsed since `start`.
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
