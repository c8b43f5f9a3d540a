import Synchronization

/// A checkpoint of one job read straight out of the shard's memory, chunk by chunk, instead of a copy of every row.
///
/// Why streaming under a hold rather than a copy: a copy of a 50 M-row shard needs as much memory again as the
/// shard (the rows, slots and keys), which does not fit beside two such shards on one machine. The source instead
/// records the cut (the version and each partition's row count) and takes a *hold* on the job: pushes of a held
/// job wait (`ParameterShard.waitWhilePaused`), as they do for an async checkpoint's pause, so training pauses for
/// the write; pulls go on (a pull that creates a row appends it past the recorded count, where the checkpoint does
/// not look: the row is at its seeded initial value, which a restore recreates). Each `read` takes the job's lock
/// for one chunk only, so the extra memory is the caller's chunk buffer.
///
/// Consistency: sync jobs — the checkpoint is at one version; a read after the version moved (a push that was
/// already in flight completed it) fails with `failedPrecondition` rather than mixing versions. Async jobs — rows
/// are read under the pause as they are; a push already in flight when the hold began may land in rows read after
/// it (the same tolerance async training has for staleness), so an async checkpoint is per chunk, not one cut.
public final class ShardCheckpointSource: Sendable {
    /// Which array of a partition a read addresses.
    public enum Part: Sendable, Hashable {
        /// The values (row-major floats).
        case values
        /// Optimizer slot `index` in `Partition.slotNames` order (floats shaped like the values).
        case slot(Int)
        /// Embedding partitions: the row keys (little-endian Int64), one per row.
        case keys
    }

    /// The layout of one partition at the cut.
    public struct Partition: Sendable, Equatable {
        /// Which partition.
        public var key: PartitionKey
        /// The variable's name.
        public var name: String
        /// Dense: the partition's shape; embedding: [rows held at the cut, width].
        public var shape: [Int]
        /// Optimizer slot names (`OptimizerConfig.slotNames` order).
        public var slotNames: [String]
        /// Whether the partition holds embedding rows (and so `keys`).
        public var hasKeys: Bool
        /// Floats in the values and in each slot.
        public var elementCount: Int
        /// Bytes of `part` (0 for keys of a dense partition or a slot past `slotNames`).
        public func byteCount(_ part: Part) -> Int {
            switch part {
            case .values: return elementCount * MemoryLayout<Float>.stride
            case .slot(let i): return slotNames.indices.contains(i) ? elementCount * MemoryLayout<Float>.stride : 0
            case .keys: return hasKeys ? shape[0] * MemoryLayout<Int64>.stride : 0
            }
        }
    }

    /// The job.
    public let jobID: UInt64
    /// The version the checkpoint is at.
    public let version: UInt64
    /// Every partition of the job on this shard, in the job's declared order.
    public let partitions: [Partition]
    /// Bytes of values, slots and keys.
    public var byteCount: Int {
        partitions.reduce(0) { total, p in
            total + p.byteCount(.values) + p.slotNames.indices.reduce(0) { $0 + p.byteCount(.slot($1)) } + p.byteCount(.keys)
        }
    }
    /// The largest number of bytes one `read` copied, and how many bytes all reads copied (what the tests check).
    public var copied: (largest: Int, total: Int) { counters.withLock { ($0.largest, $0.total) } }

    let job: ShardJob
    private let counters = Mutex<(largest: Int, total: Int)>((0, 0))
    private let released = Atomic<Bool>(false)
    private let onRelease: @Sendable () -> Void

    init(job: ShardJob, version: UInt64, partitions: [Partition], onRelease: @escaping @Sendable () -> Void) {
        self.job = job
        self.jobID = job.jobID
        self.version = version
        self.partitions = partitions
        self.onRelease = onRelease
    }

    deinit { release() }

    /// Ends the hold: the job's pushes go on. Reads fail afterwards. Idempotent.
    public func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        onRelease()
    }

    /// Copies `destination.count` bytes of `part` of partition `index`, from byte `offset`, into `destination`
    /// (under the job's lock for this chunk only). `invalidArgument` for a range outside the part, `notFound` when
    /// the job was dropped, `failedPrecondition` when the hold was released or a sync job's version moved.
    public func read(partition index: Int, _ part: Part, offset: Int, into destination: UnsafeMutableRawBufferPointer) throws(StoreError) {
        guard partitions.indices.contains(index) else {
            throw StoreError(.invalidArgument, "Checkpoint of job \(jobID) has no partition \(index).")
        }
        let layout = partitions[index]
        let total = layout.byteCount(part)
        guard offset >= 0, case let (end, false) = offset.addingReportingOverflow(destination.count), end <= total else {
            throw StoreError(.invalidArgument, "Checkpoint of job \(jobID): bytes \(offset)..<\(offset + destination.count) of \(part) lie outside its \(total) bytes.")
        }
        guard !released.load(ordering: .acquiring) else {
            throw StoreError(.failedPrecondition, "Checkpoint of job \(jobID) at version \(version) was already released.")
        }
        guard let target = destination.baseAddress, destination.count > 0 else { return }
        try job.state.withLock { (s) throws(StoreError) in
            guard !s.dropped else { throw job.droppedError }
            guard !job.isSync || s.version == version else {
                throw StoreError(.failedPrecondition, "Job \(jobID) moved from version \(version) to \(s.version) while its checkpoint was written (a push was already in flight); checkpoint again.")
            }
            Self.copy(s.partitions[index], part, offset: offset, into: target, count: destination.count)
        }
        counters.withLock {
            $0.largest = max($0.largest, destination.count)
            $0.total += destination.count
        }
    }

    /// Copies `count` bytes of `part` of `storage` from byte `offset` (in range; under the job's lock).
    static func copy(_ storage: PartitionStorage, _ part: Part, offset: Int, into target: UnsafeMutableRawPointer, count: Int) {
        guard count > 0 else { return }
        switch part {
        case .keys:
            guard let rows = storage.rows else { return }
            rows.keys.withUnsafeBytes { target.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        case .values, .slot:
            let array: Int
            if case .slot(let i) = part { array = i + 1 } else { array = 0 }
            let source: UnsafeRawPointer
            if let rows = storage.rows {
                source = UnsafeRawPointer(rows.arena.row(0, array: array))
            } else {
                source = UnsafeRawPointer(array == 0 ? storage.values.base : storage.slots[array - 1].base)
            }
            target.copyMemory(from: source + offset, byteCount: count)
        }
    }

    /// Reads the whole checkpoint into memory through `read` (tests; the psd writes through `read` in chunks).
    public func image() throws(StoreError) -> ShardCheckpoint {
        var out: [ShardCheckpoint.Partition] = []
        for (i, p) in partitions.enumerated() {
            func floats(_ part: Part) throws(StoreError) -> [Float] {
                var a = [Float](repeating: 0, count: p.elementCount)
                let done: Result<Void, StoreError> = a.withUnsafeMutableBytes { b in Result { () throws(StoreError) in try read(partition: i, part, offset: 0, into: b) } }
                try done.get()
                return a
            }
            var slots: [String: [Float]] = [:]
            for (k, name) in p.slotNames.enumerated() { slots[name] = try floats(.slot(k)) }
            var keys: [Int64]? = nil
            if p.hasKeys {
                var k = [Int64](repeating: 0, count: p.shape[0])
                let done: Result<Void, StoreError> = k.withUnsafeMutableBytes { b in Result { () throws(StoreError) in try read(partition: i, .keys, offset: 0, into: b) } }
                try done.get()
                keys = k
            }
            out.append(.init(key: p.key, name: p.name, shape: p.shape, values: try floats(.values), slots: slots, rowKeys: keys))
        }
        return ShardCheckpoint(jobID: jobID, version: version, partitions: out)
    }
}
