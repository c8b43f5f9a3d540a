import Foundation

/// A shard's cap on data-plane bytes held at once — requests decoded and queued for, or being run
/// against, the shard, and the pull answers being encoded for them — shared by its gRPC and native
/// transports. A request (or answer) that would push the total past the limit is refused at once with
/// RESOURCE_EXHAUSTED and a sentence naming the limit, so overload costs clients a retry
/// (`ShardChannel` backs off) instead of costing the shard its memory. A request larger
/// than the whole limit is admitted only when nothing else is in flight, so it can still pass.
public final class DataPlaneAdmission: Sendable {
    /// What the admission has seen so far.
    public struct Stats: Sendable, Equatable {
        /// Request bytes admitted and not yet released.
        public var inFlightBytes: Int
        /// Most bytes ever in flight at once.
        public var peakBytes: Int
        /// Requests admitted.
        public var admitted: Int
        /// Requests refused with RESOURCE_EXHAUSTED.
        public var rejected: Int
    }

    /// The words every overload refusal carries; clients retry RESOURCE_EXHAUSTED only when they see them.
    public static let overloadMarker = "data-plane overload"

    /// The default limit: a quarter of physical memory, at most 1 GiB, at least 64 MiB.
    public static var defaultLimitBytes: Int {
        let quarter = Int(clamping: ProcessInfo.processInfo.physicalMemory / 4)
        return max(64 << 20, min(1 << 30, quarter))
    }

    /// Most request bytes in flight at once.
    public let limitBytes: Int
    private let state = LockedValue(Stats(inFlightBytes: 0, peakBytes: 0, admitted: 0, rejected: 0))

    /// Creates an admission with a limit in bytes (at least 1).
    public init(limitBytes: Int = DataPlaneAdmission.defaultLimitBytes) {
        self.limitBytes = max(1, limitBytes)
    }

    /// The counters now.
    public var stats: Stats { state.value }

    /// Reserves `bytes` for one request (or, with `holding` its request's bytes already admitted, for its answer) or
    /// throws RESOURCE_EXHAUSTED naming the limit; pair with `release`. Bytes beyond the limit pass only when nothing
    /// but the caller's own `holding` is in flight.
    public func admit(_ bytes: Int, for method: DataPlaneMethod, holding: Int = 0) throws(RuntimeFailure) {
        let limit = limitBytes
        let refusedWith = state.withLock { s -> Int? in
            let (total, overflow) = s.inFlightBytes.addingReportingOverflow(max(bytes, 0))
            guard !overflow, s.inFlightBytes <= holding || total <= limit else {
                s.rejected += 1
                return s.inFlightBytes
            }
            s.inFlightBytes = total
            s.peakBytes = max(s.peakBytes, s.inFlightBytes)
            s.admitted += 1
            return nil
        }
        if let inFlight = refusedWith {
            throw RuntimeFailure(
                .resourceExhausted,
                "shard busy (\(Self.overloadMarker)): \(inFlight) bytes of data-plane requests and answers are in flight and this "
                    + "\(bytes)-byte \(method.rawValue)\(holding > 0 ? " answer" : "") would pass the limit of \(limit) bytes (psd max_inflight_bytes); retry after a backoff")
        }
    }

    /// Returns the bytes of a request `admit` let in.
    public func release(_ bytes: Int) {
        state.withLock { $0.inFlightBytes -= max(bytes, 0) }
    }
}
