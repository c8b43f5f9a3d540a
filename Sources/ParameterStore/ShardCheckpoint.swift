/// A copy of one job's state on one shard at one version: every partition's values and optimizer
/// slots, and for embedding partitions the row keys — everything needed to continue exactly.
public struct ShardCheckpoint: Sendable {
    /// The job.
    public var jobID: UInt64
    /// The version (applied updates) the copy was taken at.
    public var version: UInt64
    /// One entry per partition, in the job's declared order.
    public var partitions: [Partition]

    /// One partition's state.
    public struct Partition: Sendable, Equatable {
        /// Which partition.
        public var key: PartitionKey
        /// The variable's name (for the checkpoint file's tensor names).
        public var name: String
        /// Dense: the partition's shape; embedding: [rows held, width].
        public var shape: [Int]
        /// Values, row-major.
        public var values: [Float]
        /// Optimizer slots by name (`OptimizerConfig.slotNames`), each shaped like `values`.
        public var slots: [String: [Float]]
        /// Embedding partitions: the key of each row; nil for dense partitions.
        public var rowKeys: [Int64]?

        /// Creates a partition entry.
        public init(key: PartitionKey, name: String, shape: [Int], values: [Float], slots: [String: [Float]], rowKeys: [Int64]?) {
            self.key = key
            self.name = name
            self.shape = shape
            self.values = values
            self.slots = slots
            self.rowKeys = rowKeys
        }
    }

    /// Creates a checkpoint.
    public init(jobID: UInt64, version: UInt64, partitions: [Partition]) {
        self.jobID = jobID
        self.version = version
        self.partitions = partitions
    }

    /// Bytes of values, slots and keys.
    public var byteCount: Int {
        partitions.reduce(0) { total, p in
            total + (p.values.count + p.slots.values.reduce(0) { $0 + $1.count }) * 4 + (p.rowKeys?.count ?? 0) * 8
        }
    }
}
