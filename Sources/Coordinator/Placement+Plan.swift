import TensorWire

extension Placement {
    /// The default size above which a dense variable is partitioned along dim 0 (4 MiB).
    public static let defaultPartitionThresholdBytes = 4 << 20

    /// Places variables on shards: embeddings hash-partitioned over all shards, dense variables over the threshold
    /// split along dim 0 into near-equal row ranges, the rest whole on the least-loaded shard by bytes (largest first,
    /// ties to the earlier shard). With `roomBytes` (free value bytes per shard) "least loaded" means "most room
    /// left". Deterministic for the same inputs. Variables are held to `JobSpecLimits.layerParameters` (dense) and
    /// `JobSpecLimits.parameters` (all).
    public static func plan(
        variables: [VariableSpec], shards: [ShardTarget], partitionThresholdBytes: Int = defaultPartitionThresholdBytes,
        roomBytes: [Int]? = nil
    ) throws(CoordinatorError) -> Placement {
        guard !shards.isEmpty else { throw CoordinatorError(.invalidVariables, "no parameter-server shards to place on") }
        guard Set(shards.map(\.nodeID)).count == shards.count else {
            throw CoordinatorError(.invalidVariables, "a shard is listed twice")
        }
        guard roomBytes == nil || roomBytes?.count == shards.count else {
            throw CoordinatorError(.invalidVariables, "room is given for \(roomBytes?.count ?? 0) shards, not \(shards.count)")
        }
        guard variables.count <= Int(UInt32.max) else { throw CoordinatorError(.invalidVariables, "too many variables") }
        let sizes = try validatedSizes(variables)
        var load = [Int](repeating: 0, count: shards.count)
        func leastLoaded(count: Int) -> [Int] { Placement.leastLoaded(load, room: roomBytes, count: count) }
        var out: [PartitionAssignment] = []

        // 1. Embeddings: one partition per shard, the hint's rows spread evenly (bytes an estimate).
        // 2. Large dense: split along dim 0 over the least-loaded shards.
        for (i, v) in variables.enumerated() {
            let id = UInt32(i)
            if v.kind == .embedding {
                let ranges = rowRanges(rows: v.shape.dims[0], parts: shards.count)
                for (p, shard) in shards.enumerated() {
                    let bytes = ranges[p].count * v.shape.rowWidth * v.dtype.byteWidth
                    out.append(
                        PartitionAssignment(
                            variableID: id, variable: v, partition: UInt32(p), shard: shard, rowOffset: 0,
                            rowCount: ranges[p].count, bytes: bytes))
                    load[p] += bytes
                }
            } else if sizes[i] > partitionThresholdBytes, v.shape.rank >= 1, v.shape.dims[0] > 1, shards.count > 1 {
                let parts = min(shards.count, v.shape.dims[0])
                let chosen = leastLoaded(count: parts)
                let rowBytes = v.shape.rowWidth * v.dtype.byteWidth
                for (p, range) in rowRanges(rows: v.shape.dims[0], parts: parts).enumerated() {
                    let s = chosen[p]
                    out.append(
                        PartitionAssignment(
                            variableID: id, variable: v, partition: UInt32(p), shard: shards[s],
                            rowOffset: range.lowerBound, rowCount: range.count, bytes: range.count * rowBytes))
                    load[s] += range.count * rowBytes
                }
            }
        }

        // 3. Small dense, largest first (stable by declaration order), each on the least-loaded shard.
        let placed = Set(out.map(\.variableID))
        let small = variables.indices.filter { i in variables[i].kind == .dense && !placed.contains(UInt32(i)) }
        let ordered = small.sorted { a, b in sizes[a] != sizes[b] ? sizes[a] > sizes[b] : a < b }
        for i in ordered {
            let v = variables[i]
            let s = leastLoaded(count: 1)[0]
            out.append(
                PartitionAssignment(
                    variableID: UInt32(i), variable: v, partition: 0, shard: shards[s], rowOffset: 0,
                    rowCount: v.shape.rank == 0 ? 1 : v.shape.dims[0], bytes: sizes[i]))
            load[s] += sizes[i]
        }
        out.sort { ($0.variableID, $0.partition) < ($1.variableID, $1.partition) }
        return Placement(shards: shards, partitions: out)
    }

    /// The shard index (and embedding partition) that owns a row key; stable across processes and runs.
    public static func shardIndex(forRowKey key: Int64, shardCount: Int) -> Int {
        RowKeyPartitioner.shardIndex(forRowKey: key, shardCount: shardCount)
    }

    /// Near-equal consecutive row ranges covering 0..<rows (the first `rows % parts` get one extra row).
    public static func rowRanges(rows: Int, parts: Int) -> [Range<Int>] {
        guard parts > 0 else { return [] }
        let base = rows / parts, extra = rows % parts
        var ranges: [Range<Int>] = []
        var start = 0
        for p in 0..<parts {
            let n = base + (p < extra ? 1 : 0)
            ranges.append(start..<(start + n))
            start += n
        }
        return ranges
    }

    /// Byte sizes of the variables after checking names, shapes, kinds and the parameter limits (so no sum or
    /// product of them below can overflow).
    private static func validatedSizes(_ variables: [VariableSpec]) throws(CoordinatorError) -> [Int] {
        var names = Set<String>()
        var sizes: [Int] = []
        var total = 0
        for (i, v) in variables.enumerated() {
            guard !v.name.isEmpty else { throw CoordinatorError(.invalidVariables, "variable \(i) has no name") }
            guard names.insert(v.name).inserted else {
                throw CoordinatorError(.invalidVariables, "variable \"\(v.name)\" is declared twice")
            }
            // Dense: every dimension ≥ 1. Embeddings: [vocabulary hint ≥ 0 (0 = unbounded), width ≥ 1] (checked below).
            guard v.kind == .embedding || v.shape.dims.allSatisfy({ $0 >= 1 }), let count = v.shape.checkedElementCount else {
                throw CoordinatorError(.invalidVariables, "variable \"\(v.name)\" has an invalid shape \(v.shape) (every dimension must be ≥ 1)")
            }
            let layer = JobSpecLimits.layerParameters, all = JobSpecLimits.parameters
            if v.kind == .dense, count > layer.upper {
                throw CoordinatorError(
                    .resourceExhausted, "variable \"\(v.name)\" \(v.shape) holds \(count) parameters; at most \(layer.upper) are allowed (\(layer.name))")
            }
            total = Saturating.add(total, count)
            guard total <= all.upper else {
                throw CoordinatorError(
                    .resourceExhausted, "the declared variables hold more than \(all.upper) parameters (\(all.name)); \"\(v.name)\" \(v.shape) passes it")
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: v.dtype.byteWidth)
            guard !overflow else { throw CoordinatorError(.invalidVariables, "variable \"\(v.name)\" is too large") }
            if v.kind == .embedding {
                // Rows are created on first touch, so the width alone bounds what one row costs.
                guard v.shape.rank == 2, v.shape.dims[1] > 0, v.shape.dims[1] <= layer.upper else {
                    throw CoordinatorError(
                        .invalidVariables,
                        "embedding \"\(v.name)\" needs shape [vocabulary hint, width in 1...\(layer.upper)], got \(v.shape)")
                }
            }
            sizes.append(bytes)
        }
        return sizes
    }

    /// Indices of the `count` least-loaded shards (with `room`: the most room left), in shard order (ties to the
    /// earlier shard).
    private static func leastLoaded(_ load: [Int], room: [Int]?, count: Int) -> [Int] {
        let key: (Int) -> Int = { i in room.map { load[i] - $0[i] } ?? load[i] }
        let ranked = load.indices.sorted { key($0) != key($1) ? key($0) < key($1) : $0 < $1 }
        return Array(ranked.prefix(count)).sorted()
    }
}
