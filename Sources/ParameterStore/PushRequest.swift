/// One worker's gradients for one job, all computed on one version: whole dense partitions, row ranges of dense
/// partitions and embedding rows, in any mix. The buffers may point into a transient request frame: nothing is kept
/// after `ParameterShard.push`.
public struct PushRequest {
    /// One gradient of the push.
    public enum Gradient {
        /// A whole dense partition's gradient (as many elements as the partition).
        case partition(PartitionKey, UnsafeBufferPointer<Float>)
        /// Rows `rowOffset ..< rowOffset + gradient.count / rowWidth` of a dense partition (whole rows). A push with any
        /// row range is one message of a chunked push (async: the version moves once the worker's messages have
        /// delivered every dense row held here).
        case rows(PartitionKey, rowOffset: Int, UnsafeBufferPointer<Float>)
        /// Embedding rows: `rowKeys.count × width` floats, row i for key i (rows of a repeated key are summed).
        case sparse(PartitionKey, rowKeys: UnsafeBufferPointer<Int64>, rows: UnsafeBufferPointer<Float>)

        /// The partition the gradient is for.
        public var key: PartitionKey {
            switch self {
            case .partition(let key, _), .rows(let key, _, _), .sparse(let key, _, _): key
            }
        }
    }

    /// The job.
    public var jobID: UInt64
    /// The pushing worker (its index in the job).
    public var workerID: UInt32
    /// The version the gradients were computed on.
    public var version: UInt64
    /// The gradients, at most one per partition except row ranges (disjoint ones of one partition may repeat it).
    public var gradients: [Gradient]

    /// Describes a push.
    public init(jobID: UInt64, workerID: UInt32, version: UInt64, gradients: [Gradient]) {
        self.jobID = jobID
        self.workerID = workerID
        self.version = version
        self.gradients = gradients
    }
}
