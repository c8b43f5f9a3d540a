import TensorWire

extension Coordinator {
    /// Gives a worker its task: the same one again if it holds one, else a vacant slot of the oldest job that can run
    /// (enough alive ps nodes) and whose model the worker can build (a registered model type only to workers advertising it). `nil` when there is nothing to do. Worker index 0 is the chief.
    public mutating func assignTask(worker: NodeID, now: Double) throws(CoordinatorError) -> TaskAssignment? {
        guard let node = membership.node(worker) else {
            throw CoordinatorError(.unknownNode, "\(worker) is not registered; register again")
        }
        guard node.info.role == .worker else {
            throw CoordinatorError(.invalidNode, "\(node.info.name) is a \(node.info.role.rawValue) node, not a worker")
        }
        let active = activeJobIDs()
        // A worker asking for work is not running its slot of a stopping job any more: that slot is done.
        for id in active {
            guard var job = records[id], job.isStopping else { continue }
            for i in job.workers.indices where job.workers[i].node == worker && job.workers[i].state == .assigned {
                job.workers[i].state = .finished
            }
            records[id] = job
        }
        // Idempotent: the slot it holds (or held, if nobody took it since it was judged dead).
        for id in active {
            // No task of a recovering job starts until its shards hold the checkpoint (workers would read stale steps).
            guard var job = records[id], !job.isStopping, job.recovering == nil, let index = reclaimSlot(of: worker, in: &job) else { continue }
            guard job.workers[index].state == .assigned else { continue }
            records[id] = job
            return assignment(job, index)
        }
        guard node.state == .alive else { return nil }
        for id in active {
            guard var job = records[id], !job.isStopping, job.recovering == nil, canBuild(node, job.spec) else { continue }
            guard let index = job.workers.firstIndex(where: { $0.state == .vacant }) else { continue }
            guard job.placement != nil || alivePS().count >= (job.spec.cluster.psShards ?? 1) else { continue }
            job.workers[index].node = worker
            job.workers[index].lastNode = worker
            job.workers[index].state = .assigned
            job.workers[index].trainingDone = nil
            records[id] = job
            logger.info("task assigned", metadata: ["job": "\(id)", "worker": "\(node.info.name)", "index": "\(index)"])
            return assignment(job, index)
        }
        return nil
    }

    /// Largest preprocessing description a chief may declare (UTF-8 bytes of its JSON).
    public static let maxPreprocessingBytes = 4 << 20

    /// The chief declares the model's variables (and how its data turns raw examples into rows, `preprocessing`, a
    /// JSON object of at most `maxPreprocessingBytes`); returns their placement over the job's shards (idempotent: the
    /// same declaration returns the same placement). The runtime then creates the partitions and calls
    /// `placementReady` or `placementFailed`.
    public mutating func declareVariables(
        _ id: JobID, from worker: NodeID, _ variables: [VariableSpec], preprocessing: String? = nil
    ) throws(CoordinatorError) -> Placement {
        var job = try existing(id)
        guard !job.state.isTerminal else {
            throw CoordinatorError(.invalidState, "\(id) already ended (\(job.state.rawValue))")
        }
        guard job.workers.first?.node == worker else {
            throw CoordinatorError(.invalidNode, "only the chief (worker 0) of \(id) declares variables, not \(worker)")
        }
        guard !variables.isEmpty else { throw CoordinatorError(.invalidVariables, "a model needs at least one variable") }
        if let preprocessing {
            guard preprocessing.utf8.count <= Self.maxPreprocessingBytes, preprocessing.first == "{", preprocessing.last == "}" else {
                throw CoordinatorError(
                    .invalidVariables,
                    "\(id): the preprocessing must be a JSON object of at most \(Self.maxPreprocessingBytes) bytes (got \(preprocessing.utf8.count))")
            }
        }
        if let placement = job.placement {
            guard placement.variables == variables else {
                throw CoordinatorError(.invalidVariables, "\(id) already declared different variables")
            }
            return placement
        }
        let ps = alivePS()
        let wanted = job.spec.cluster.psShards ?? max(1, ps.count)
        guard ps.count >= wanted, !ps.isEmpty else {
            throw CoordinatorError(.invalidState, "\(id) needs \(wanted) alive ps shard(s), \(ps.count) alive; retry later")
        }
        // The ps nodes with the most free memory (or serving the fewest active jobs); refused when it does not fit.
        let placement: Placement
        if let source = job.initSource {
            placement = try inheritedPlacement(from: source, for: id, variables)
        } else {
            placement = try placeWithinBudget(job, variables, alive: ps, wanted: wanted)
        }
        let shards = placement.shards
        job.placement = placement
        job.preprocessing = preprocessing
        records[id] = job
        logger.info("variables placed", metadata: ["job": "\(id)", "variables": "\(variables.count)", "shards": "\(shards.count)"])
        return placement
    }

    /// The shards hold the job's partitions: the job is RUNNING and workers receive the placement.
    public mutating func placementReady(_ id: JobID, now: Double) throws(CoordinatorError) -> [CoordinatorAction] {
        var job = try existing(id)
        if job.state == .running { return [] }
        guard job.state == .pending, job.placement != nil else {
            throw CoordinatorError(.invalidState, "\(id) is \(job.state.rawValue) without a declared placement")
        }
        job.state = .running
        job.startedAt = now
        job.joinGraceUntil = now + config.joinGrace
        let actions = refreshEffectiveReplicas(&job, now: now)
        records[id] = job
        logger.info("job running", metadata: [
            "job": "\(id)", "partitions": "\(job.placement?.partitions.count ?? 0)", "shards": "\(job.shards.count)",
        ])
        return actions
    }

    /// Creating the partitions failed: the job FAILS with the reason.
    public mutating func placementFailed(_ id: JobID, reason: String, now: Double) throws(CoordinatorError) -> [CoordinatorAction] {
        var job = try existing(id)
        guard !job.state.isTerminal else { return [] }
        let actions = end(&job, .failed, "placing variables failed: \(reason)", now: now)
        records[id] = job
        return actions
    }

    func assignment(_ job: JobRecord, _ index: Int) -> TaskAssignment {
        TaskAssignment(
            jobID: job.id, spec: job.spec, workerIndex: index, workerCount: job.workers.count,
            placement: job.state == .running ? job.placement : nil, variablesDeclared: job.placement != nil,
            resumeBatches: job.spec.training.mode == .async ? max(0, job.workers[index].progress?.workerStep ?? 0) : 0)
    }

    /// The slot a worker holds in a job, re-attaching it to a vacant slot it held before. A worker that finished its
    /// own slot and took over a lost one holds two: the one it is running (assigned) is the one it reports for.
    func reclaimSlot(of worker: NodeID, in job: inout JobRecord) -> Int? {
        if let i = currentSlot(of: worker, in: job) { return i }
        guard membership.isLive(worker),
            let i = job.workers.firstIndex(where: { $0.state == .vacant && $0.lastNode == worker })
        else { return nil }
        job.workers[i].node = worker
        job.workers[i].state = .assigned
        job.workers[i].trainingDone = nil
        return i
    }

    /// Whether the chief `worker` may stop waiting for its peers: every other slot is finished, or vacant with no live
    /// idle worker to take it (the chief then takes it itself once its own slot is done, so a lost worker that
    /// nobody replaces never hangs the job).
    public func peersFinished(_ id: JobID, except worker: NodeID) -> Bool {
        guard let job = records[id] else { return true }
        let busy = Set(activeJobIDs().flatMap { records[$0]?.workers.compactMap { $0.state == .assigned ? $0.node : nil } ?? [] })
        let idle = membership.nodes().contains {
            $0.info.role == .worker && $0.state == .alive && $0.id != worker && !busy.contains($0.id) && canBuild($0, job.spec)
        }
        return job.workers.allSatisfy { slot in
            slot.node == worker || slot.lastNode == worker || slot.state == .finished || (slot.state == .vacant && !idle)
        }
    }

    /// The slot `worker` runs in `job`: its assigned slot, else the last one it held there.
    func currentSlot(of worker: NodeID, in job: JobRecord) -> Int? {
        job.workers.firstIndex { $0.node == worker && $0.state == .assigned } ?? job.workers.lastIndex { $0.node == worker }
    }

    /// Hands the unfinished slots of a dead worker back.
    mutating func vacateSlots(of worker: NodeID) {
        for id in activeJobIDs() {
            guard var job = records[id] else { continue }
            for i in job.workers.indices where job.workers[i].node == worker && job.workers[i].state == .assigned {
                job.workers[i].node = nil
                job.workers[i].state = .vacant
                logger.info("task handed back", metadata: ["job": "\(id)", "index": "\(i)"])
            }
            records[id] = job
        }
    }

    /// Fails active jobs whose placement uses a dead ps node.
    mutating func failJobs(onShard node: NodeID, name: String, now: Double) -> [CoordinatorAction] {
        var actions: [CoordinatorAction] = []
        for id in activeJobIDs() {
            guard var job = records[id], job.shards.contains(where: { $0.nodeID == node }) else { continue }
            if job.state == .running, job.checkpoint != nil {
                // Restored from the latest checkpoint when the psd comes back (with its data dir).
                job.recovering = job.recovering ?? "parameter server \(name) (\(node)) died; waiting for it to return"
                records[id] = job
                continue
            }
            actions += end(&job, .failed, "parameter server \(name) (\(node)) died", now: now)
            records[id] = job
        }
        return actions
    }

    /// Alive ps nodes, by id.
    func alivePS() -> [NodeRecord] { membership.nodes().filter { $0.info.role == .ps && $0.state == .alive } }
}
