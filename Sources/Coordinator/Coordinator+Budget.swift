import TensorWire

/// The memory budget: shards and workers advertise `NodeInfo.memoryLimitBytes` (0 = unknown, never checked);
/// the coordinator counts what the placements of unfinished jobs reserve on each shard, refuses at submit a job
/// whose estimate does not fit, and places declared variables where there is room.
extension Coordinator {
    /// Shard bytes the placed, unfinished jobs reserve on a ps node.
    public func memoryReservedBytes(on node: NodeID) -> Int {
        JobBudget.reservedBytes(on: node, jobs: activeJobIDs().compactMap { records[$0] })
    }

    /// Refuses (`.resourceExhausted`) a spec whose estimated shard memory does not fit the free memory of the alive
    /// shards it would use, or whose synthetic data exceeds every alive worker's `--max-data-bytes`.
    func checkBudget(_ spec: JobSpec) throws(CoordinatorError) {
        try checkShardBudget(spec)
        try checkWorkerBudget(spec)
    }

    private func checkShardBudget(_ spec: JobSpec) throws(CoordinatorError) {
        guard let need = JobBudget.estimatedShardBytes(spec) else { return }
        let ps = alivePS()
        let wanted = spec.cluster.psShards ?? max(1, ps.count)
        // Too few shards: the job waits for them and is checked exactly when its chief declares the variables.
        // A shard without a limit has room for anything.
        guard !ps.isEmpty, ps.count >= wanted, ps.allSatisfy({ $0.info.memoryLimitBytes > 0 }) else { return }
        let rooms = Dictionary(ps.map { ($0.id, room(of: $0)) }, uniquingKeysWith: { a, _ in a })
        let roomiest = ps.sorted { (rooms[$0.id] ?? 0) > (rooms[$1.id] ?? 0) }.prefix(wanted)
        let free = Saturating.sum(roomiest.map { rooms[$0.id] ?? 0 })
        guard need > free else { return }
        let limit = Saturating.sum(roomiest.map(\.info.memoryLimitBytes))
        let which = wanted == ps.count ? "the \(wanted) alive shard\(wanted == 1 ? "" : "s")" : "the \(wanted) roomiest of \(ps.count) alive shards"
        throw CoordinatorError(
            .resourceExhausted,
            "job needs ~\(JobBudget.describe(bytes: need)) of shard memory (\(JobBudget.copiesDescription(spec))), "
                + "\(which) \(wanted == 1 ? "has" : "have") \(JobBudget.describe(bytes: free)) free of \(JobBudget.describe(bytes: limit)) (psd --memory-limit)")
    }

    private func checkWorkerBudget(_ spec: JobSpec) throws(CoordinatorError) {
        guard let need = JobBudget.workerDataBytes(spec) else { return }
        let workers = membership.nodes().filter { $0.info.role == .worker && $0.state == .alive && canBuild($0, spec) }
        guard let largest = workers.map(\.info.memoryLimitBytes).max(), workers.allSatisfy({ $0.info.memoryLimitBytes > 0 }),
            need > largest
        else { return }
        throw CoordinatorError(
            .resourceExhausted,
            "synthetic data needs ~\(JobBudget.describe(bytes: need)) on each worker (data.samples × \(spec.data.weights?.count ?? 0) features × 4 bytes), "
                + "every alive worker accepts at most \(JobBudget.describe(bytes: largest)) (workerd --max-data-bytes)",
            path: "data.samples")
    }

    /// Free shard bytes on a ps node: its limit less what placed jobs reserve there (`Int.max` without a limit).
    func room(of node: NodeRecord) -> Int {
        let limit = node.info.memoryLimitBytes
        guard limit > 0 else { return .max }
        return max(0, limit - min(limit, memoryReservedBytes(on: node.id)))
    }

    /// Chooses `wanted` of the alive ps nodes for a job (the most free memory first when every one advertises a
    /// limit, else the fewest active jobs; ties by id), places the variables there, and refuses
    /// (`.resourceExhausted`) a placement whose partitions do not fit a shard's free memory.
    func placeWithinBudget(_ job: JobRecord, _ variables: [VariableSpec], alive ps: [NodeRecord], wanted: Int) throws(CoordinatorError) -> Placement {
        let busy = Dictionary(grouping: activeJobIDs().flatMap { records[$0]?.shards ?? [] }, by: \.nodeID).mapValues(\.count)
        let limited = ps.allSatisfy { $0.info.memoryLimitBytes > 0 }
        let rooms = Dictionary(ps.map { ($0.id, limited ? room(of: $0) : Int.max) }, uniquingKeysWith: { a, _ in a })
        let chosen = ps.sorted { a, b in
            let ka = (-(rooms[a.id] ?? 0), busy[a.id] ?? 0, a.id), kb = (-(rooms[b.id] ?? 0), busy[b.id] ?? 0, b.id)
            return limited ? ka < kb : (ka.1, ka.2) < (kb.1, kb.2)
        }.prefix(wanted).sorted { $0.id < $1.id }
        let shards = chosen.map { ShardTarget(nodeID: $0.id, address: $0.info.address) }
        let spec = job.spec
        let perElement = JobBudget.copies(.dense, optimizer: spec.optimizer, mode: spec.training.mode)
        let placement = try Placement.plan(
            variables: variables, shards: shards, partitionThresholdBytes: config.partitionThresholdBytes,
            roomBytes: limited ? chosen.map { (rooms[$0.id] ?? 0) / perElement } : nil)
        guard limited else { return placement }
        let need = JobBudget.shardBytes(of: variables, optimizer: spec.optimizer, mode: spec.training.mode)
        let free = Saturating.sum(chosen.map { rooms[$0.id] ?? 0 })
        let what = "job needs ~\(JobBudget.describe(bytes: need)) of shard memory (\(JobBudget.copiesDescription(spec)), from the declared variables)"
        guard need <= free else {
            let limit = Saturating.sum(chosen.map(\.info.memoryLimitBytes))
            throw CoordinatorError(
                .resourceExhausted,
                "\(what), the \(chosen.count) shard\(chosen.count == 1 ? "" : "s") it may use \(chosen.count == 1 ? "has" : "have") "
                    + "\(JobBudget.describe(bytes: free)) free of \(JobBudget.describe(bytes: limit)) (psd --memory-limit)")
        }
        for node in chosen {
            let held = JobBudget.reservedBytes(on: node.id, by: placement, spec: spec)
            let room = rooms[node.id] ?? 0
            guard held <= room else {
                throw CoordinatorError(
                    .resourceExhausted,
                    "\(what); its partitions on \(node.info.name) need ~\(JobBudget.describe(bytes: held)), which has "
                        + "\(JobBudget.describe(bytes: room)) free of \(JobBudget.describe(bytes: node.info.memoryLimitBytes)) (psd --memory-limit)")
            }
        }
        return placement
    }
}
