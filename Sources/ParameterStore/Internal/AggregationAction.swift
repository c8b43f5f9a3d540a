/// One worker's push as the aggregation rule sees it: who, for which version, and which rows of which partitions.
struct Delivery: Sendable, Equatable {
    /// One gradient of the push: a partition (by index in the job's declared order) and, for a row chunk of a dense
    /// partition, its rows; nil rows is the whole partition (always so for an embedding partition).
    struct Part: Sendable, Equatable {
        /// The partition's index.
        var partition: Int
        /// The rows delivered, or nil for the whole partition.
        var rows: Range<Int>?
    }

    /// The pushing worker.
    var worker: UInt32
    /// The version the gradients were computed on.
    var version: UInt64
    /// The gradients, in the push's order.
    var parts: [Part]

    /// Whether the push carries row chunks (async: it is one of the messages of a chunked push).
    var isChunked: Bool { parts.contains { $0.rows != nil } }
}

/// What the shard must do with a delivery (or a change of effective N); see `AggregationStateMachine`.
enum AggregationAction: Sendable, Equatable {
    /// Sync: add the delivery's `parts` (indices into `Delivery.parts`) to the version's sums; `count` of `needed`
    /// workers have now delivered every partition.
    case accumulate(parts: [Int], count: Int, needed: Int)
    /// An update is due: perform `Update`.
    case apply(Update)
    /// The gradients were computed `staleBy` versions ago (sync: any older version; async: beyond max staleness).
    case dropStale(staleBy: UInt64)
    /// Sync: the worker already delivered every part of this push for this version; nothing changes.
    case duplicate
    /// The delivery or change is refused as an error; nothing changed.
    case refuse(AggregationRefusal)
}

/// The work of one update, in order: add `summed` to the sums, apply `direct` to the values, apply `averages`.
struct Update: Sendable, Equatable {
    /// Sync: parts of the delivery to add to the version's sums before the averages are applied.
    var summed: [Int] = []
    /// Async: parts of the delivery applied straight to the values (scale 1).
    var direct: [Int] = []
    /// Sync: the sums to apply, each divided by how many gradients it holds.
    var averages: [Average] = []
    /// The optimizer step: the version before the update.
    var step: UInt64
    /// The version after the update; nil when an async chunked push is not complete yet (the version stays).
    var newVersion: UInt64?
}

/// Rows of one partition's sum holding `count` gradients for every row (an embedding partition has one unit, row 0).
struct Average: Sendable, Equatable {
    /// The partition's index.
    var partition: Int
    /// The rows.
    var rows: Range<Int>
    /// Gradients summed in each of these rows: the divisor of the average.
    var count: Int
}

/// Why the aggregation rule refused a delivery or a change of effective N.
enum AggregationRefusal: Sendable, Equatable {
    /// The push names a version the shard has not reached.
    case futureVersion(current: UInt64)
    /// Part `part` repeats a partition (or rows of it) an earlier part of the same push carries.
    case repeated(part: Int)
    /// Part `part` covers rows outside its partition.
    case outside(part: Int)
    /// Part `part` overlaps, without repeating exactly, rows the worker already delivered for this version.
    case overlapping(part: Int)
    /// Part `part` would leave the worker's rows of its partition in more than `maxRowRanges` separate ranges.
    case fragmented(part: Int)
    /// Effective N was set on an async job.
    case notSync
    /// Effective N must be in 1...limit (N + backups); `got` was asked.
    case replicasOutOfRange(limit: Int, got: Int)
}
