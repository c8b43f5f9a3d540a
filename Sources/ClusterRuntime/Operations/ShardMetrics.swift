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
        pushErrors = Counter(label: N.dataPlaneErrorsTotal, dimensions: labels + [("method", "push")], factory: factory)
        pullErrors = Counter(label: N.dataPlaneErrorsTotal, dimensions: labels + [("method", "pull")], factory: factory)
    }

    /// Runs one data-plane request, counting it, its bytes, its time (pushes) and the requests in flight.
    public func record(
        _ method: DataPlaneMethod, request: [UInt8], _ body: () async throws -> [UInt8]
    ) async throws -> [UInt8] {
        inFlight.increment()
        defer { inFlight.decrement() }
        let start = ContinuousClock.now
        let reply: [UInt8]
        do {
            reply = try await body()
        } catch {
            (method == .push ? pushErrors : pullErrors).increment()
            throw error
        }
        switch method {
        case .push:
            apply.recordInterval(since: start)
            pushes.increment()
            pushBytes.increment(by: request.count)
            if Self.isStaleAnswer(reply) { staleDropped.increment() }
        case .pull:
            pulls.increment()
            pullBytes.increment(by: reply.count)
        }
        return reply
    }

    /// True when a push response frame says the gradient was dropped as stale.
    static func isStaleAnswer(_ reply: [UInt8]) -> Bool {
        let status = try? reply.withUnsafeBytes { raw throws(WireError) in try WireFormat.decodeView(raw).header.status }
        return status == PushStatus.stale
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
