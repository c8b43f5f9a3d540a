import JobSpec
import TensorWire

/// A snapshot of one job's state and counters on one shard.
public struct ShardJobStats: Sendable, Hashable {
    /// Event counters, all monotonic for the life of the job on this shard.
    public struct Counters: Sendable, Hashable {
        /// Pushes received (accepted or not).
        public var pushes: UInt64 = 0
        /// Updates applied (sync: aggregated steps; async: accepted pushes).
        public var applied: UInt64 = 0
        /// Pushes dropped because they were computed on an old version.
        public var staleDropped: UInt64 = 0
        /// Sync pushes ignored because the worker already delivered those partitions for this version.
        public var duplicateDropped: UInt64 = 0
        /// Pushes rejected with an error (any reason, including non-finite).
        public var rejected: UInt64 = 0
        /// Pushes rejected because a gradient held NaN or Inf.
        public var nonFiniteRejected: UInt64 = 0
        /// Gradient payload bytes received in pushes.
        public var bytesIn: UInt64 = 0
        /// Value payload bytes handed to readers.
        public var bytesOut: UInt64 = 0
    }

    /// One partition held for the job.
    public struct Partition: Sendable, Hashable {
        /// Its key.
        public var key: PartitionKey
        /// The variable's name.
        public var name: String
        /// The partition's shape.
        public var shape: Shape
        /// Bytes of its values.
        public var bytes: Int
        /// Bytes of its optimizer slots and sync sum buffer.
        public var slotBytes: Int
    }

    /// The job's current version (updates applied).
    public var version: UInt64
    /// The job's consistency mode.
    public var mode: TrainingMode
    /// Sync: the N currently required; async: 1.
    public var effectiveReplicas: Int
    /// Sync: workers that have delivered all partitions for the current version.
    public var accumulated: Int
    /// Long-polls currently waiting.
    public var waiting: Int
    /// Event counters.
    public var counters: Counters
    /// The partitions held, in declared order.
    public var variables: [Partition]

    /// Pushes received.
    public var pushes: UInt64 { counters.pushes }
    /// Updates applied.
    public var applied: UInt64 { counters.applied }
    /// Stale pushes dropped.
    public var staleDropped: UInt64 { counters.staleDropped }
    /// Duplicate sync pushes ignored.
    public var duplicateDropped: UInt64 { counters.duplicateDropped }
    /// Pushes rejected with an error.
    public var rejected: UInt64 { counters.rejected }
    /// Pushes rejected for NaN/Inf.
    public var nonFiniteRejected: UInt64 { counters.nonFiniteRejected }
    /// Gradient bytes received.
    public var bytesIn: UInt64 { counters.bytesIn }
    /// Value bytes sent.
    public var bytesOut: UInt64 { counters.bytesOut }
    /// Total bytes of values, slots and sums held for the job.
    public var totalBytes: Int { variables.reduce(0) { $0 + $1.bytes + $1.slotBytes } }
}
