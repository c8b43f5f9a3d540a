import Foundation

/// What a psd lets clients make it hold: job state, connections, streams, waiting pulls, answer
/// sizes and idle time (docs/security.md lists each with the status a client gets when it is hit).
public struct ServerLimits: Sendable, Equatable {
    /// Bytes of job state (variables, optimizer slots, embedding rows) the shard accepts in all; advertised to the coordinator.
    public var memoryLimitBytes: Int
    /// Open connections per listener (gRPC and native data plane each); more are closed at once.
    public var maxConnections: Int
    /// A connection with nothing read or written for this long is closed.
    public var idleTimeout: Duration
    /// Data-plane pulls waiting at once for a version that does not exist yet; more are refused with RESOURCE_EXHAUSTED.
    public var maxPendingPulls: Int
    /// Largest data-plane answer (a pull's frame); a request asking for more is refused with RESOURCE_EXHAUSTED.
    public var maxAnswerBytes: Int
    /// Open Health.Watch streams (they need no token); more are refused with RESOURCE_EXHAUSTED.
    public var maxWatchStreams: Int
    /// Coordinator: ended jobs kept in its store; older ended ones are deleted (0 keeps all).
    public var jobRetention: Int

    /// Creates limits; every default is documented in docs/config.md.
    public init(
        memoryLimitBytes: Int = ServerLimits.defaultMemoryLimitBytes, maxConnections: Int = 1024, idleTimeout: Duration = .seconds(600),
        maxPendingPulls: Int = 4096, maxAnswerBytes: Int = 1 << 30, maxWatchStreams: Int = 64, jobRetention: Int = 1000
    ) {
        self.memoryLimitBytes = memoryLimitBytes
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.maxPendingPulls = maxPendingPulls
        self.maxAnswerBytes = maxAnswerBytes
        self.maxWatchStreams = maxWatchStreams
        self.jobRetention = jobRetention
    }

    /// The default job-state budget: half of physical memory.
    public static var defaultMemoryLimitBytes: Int {
        Int(clamping: ProcessInfo.processInfo.physicalMemory / 2)
    }

    /// The defaults.
    public static let `default` = ServerLimits()
}
