import ClusterAPI
import Coordinator
import GRPCCore
import ParameterStore
import TensorWire

extension CoordinatorService {
    /// Hands a worker its task (with the placement once it is ready); the worker's node secret must match.
    public func getTask(request: Tessera_V1_GetTaskRequest, context: ServerContext) async throws -> Tessera_V1_GetTaskResponse {
        try authenticate(request.nodeID, request.nodeSecret)
        let assignment = try await withState { try $0.assignTask(worker: NodeID(request.nodeID), now: Self.now()) }
        guard let assignment else { return .with { $0.retryAfterMs = 250 } }
        let names = try readState { state in Dictionary(state.nodes().map { ($0.id, $0.info.name) }, uniquingKeysWith: { a, _ in a }) }
        return .with {
            $0.task = .with {
                $0.jobID = assignment.jobID.description
                $0.jobNumber = assignment.jobID.rawValue
                $0.spec = assignment.spec.proto
                $0.workerIndex = UInt32(clamping: assignment.workerIndex)
                $0.workerCount = UInt32(clamping: assignment.workerCount)
                $0.isChief = assignment.isChief
                $0.resumeBatches = UInt64(max(0, assignment.resumeBatches))
                $0.placementReady = assignment.placement != nil && assignment.variablesDeclared
                if let placement = assignment.placement, assignment.variablesDeclared {
                    $0.placement = render(placement, names: names, transport: assignment.spec.cluster.transport)
                }
                $0.transport = assignment.spec.cluster.transport.rawValue
            }
        }
    }

    /// The chief declares the variables: place them, create them on every shard, then start the job.
    public func declareVariables(request: Tessera_V1_DeclareVariablesRequest, context: ServerContext) async throws -> Tessera_V1_DeclareVariablesResponse {
        try authenticate(request.nodeID, request.nodeSecret)
        let id = try parseJobID(request.jobID)
        let variables: [VariableSpec]
        do {
            guard !request.variables.isEmpty else { throw RuntimeFailure(.invalidArgument, "\(request.jobID): no variables declared") }
            guard request.variables.count <= 1 << 16 else { throw RuntimeFailure(.invalidArgument, "\(request.jobID): too many variables (\(request.variables.count))") }
            variables = try request.variables.map { decl throws(RuntimeFailure) in try VariableSpec(decl: decl) }
        } catch {
            throw RPCError(failure: error)
        }
        let placed: (Placement, JobRecord)
        do {
            placed = try await withState { state in
                let placement = try state.declareVariables(id, from: NodeID(request.nodeID), variables)
                guard let job = state.job(id) else { throw RuntimeFailure(.notFound, "no job \(id)") }
                return (placement, job)
            }
        } catch let error as RPCError where error.code == .resourceExhausted {
            // The variables do not fit the shards' memory (or pass a size limit): the job fails with the reason.
            RefusalMetrics.record(.memory)
            await perform((try? await withState { try $0.placementFailed(id, reason: error.message, now: Self.now()) }) ?? [])
            throw error
        }
        let (placement, job) = placed
        if job.state == .pending {
            do {
                try await createOnShards(job: job, placement: placement)
                if let source = job.spec.initFrom {
                    for shard in job.shards {
                        try await shards.restore(id.rawValue, path: source, crc32c: 0, valuesOnly: true, on: try HostPort(parsing: shard.address))
                    }
                    logger.info("job initialised from exported model", metadata: ["job": "\(id)", "init_from": "\(source)"])
                }
                await perform(try await withState { try $0.placementReady(id, now: Self.now()) })
                logger.info("job running", metadata: ["job": "\(id)", "partitions": "\(placement.partitions.count)", "shards": "\(placement.shards.count)"])
            } catch {
                let failure = RuntimeFailure(serving: error)
                logger.error("placing variables failed", metadata: ["job": "\(id)", "error": "\(failure.message)"])
                await perform((try? await withState { try $0.placementFailed(id, reason: failure.message, now: Self.now()) }) ?? [])
                throw RPCError(code: failure.code.rpcCode, message: "\(id): creating variables on the shards failed: \(failure.message)")
            }
        }
        let names = try readState { state in Dictionary(state.nodes().map { ($0.id, $0.info.name) }, uniquingKeysWith: { a, _ in a }) }
        return .with { $0.placement = render(placement, names: names, transport: job.spec.cluster.transport) }
    }

    /// Creates every shard's partitions of a job, in parallel.
    func createOnShards(job: JobRecord, placement: Placement) async throws {
        let optimizer = job.spec.optimizer.proto
        let training = job.spec.training.proto
        try await withThrowingTaskGroup(of: Void.self) { group in
            for shard in placement.shards {
                let partitions = placement.partitions(on: shard.nodeID).map {
                    PartitionSpec(
                        variableID: $0.variableID, partition: $0.partition, variable: $0.variable, rowOffset: $0.rowOffset,
                        rowCount: $0.rowCount, seed: job.spec.training.seed ^ stableHash($0.variable.name)
                    ).proto
                }
                guard !partitions.isEmpty else { continue }
                let request = Tessera_V1_CreateJobRequest.with {
                    $0.jobNumber = job.id.rawValue
                    $0.jobID = job.id.description
                    $0.partitions = partitions
                    $0.optimizer = optimizer
                    $0.training = training
                }
                group.addTask {
                    let address = try HostPort(parsing: shard.address)
                    try await self.shards.createJob(request, on: address)
                }
            }
            try await group.waitForAll()
        }
    }

    /// Records a worker's progress, evaluation, completion or failure; answers whether to stop.
    public func reportProgress(request: Tessera_V1_ReportProgressRequest, context: ServerContext) async throws -> Tessera_V1_ReportProgressResponse {
        try authenticate(request.nodeID, request.nodeSecret)
        let id = try parseJobID(request.jobID)
        let worker = NodeID(request.nodeID)
        let now = Self.now()
        if request.totalSteps > 0 { totalSteps.withLock { $0[id] = request.totalSteps } }
        if request.hasEval { evalCounts.withLock { $0[id] = request.eval.count } }
        // A worker's last report may end the job: read the shards' final counters (steps, dropped stale gradients) first.
        if request.finished || request.trainingDone { await pollShards(only: id) }
        // Progress figures alone are written without an fsync; anything that changes a job's lifecycle is made durable.
        let (directive, actions, peersFinished) = try await withState(progressOnly: true) { state -> (Directive, [CoordinatorAction], Bool) in
            var actions: [CoordinatorAction] = []
            if !request.failure.isEmpty {
                actions += try state.workerFailed(
                    id, worker: worker, message: request.failure, lostShard: request.failureShard.isEmpty ? nil : request.failureShard, now: now)
                return (.stop(request.failure), actions, false)
            }
            let progress = WorkerProgress(
                workerStep: Int(request.workerStep), samples: Int(request.samples),
                loss: request.hasTrain ? request.train.loss : .nan,
                accuracy: request.hasTrain ? request.train.accuracy : nil, epoch: Int(request.epoch),
                stepsPerSecond: request.stepsPerSecond > 0 ? request.stepsPerSecond : nil)
            if request.shardVersion > 0 {
                actions += try state.recordShardVersion(id, version: Int(request.shardVersion), now: now)
            }
            var directive = Directive.continue
            if request.hasTrain {
                directive = try state.report(id, worker: worker, progress: progress, now: now)
            } else if let job = state.job(id), job.isStopping || job.state.isTerminal {
                directive = .stop(job.reason)
            }
            if request.hasEval {
                let e = request.eval
                actions += try state.reportEvaluation(
                    id, metrics: EvaluationMetrics(loss: e.loss, accuracy: e.hasAccuracy ? e.accuracy : nil, auc: e.hasAuc ? e.auc : nil, count: Int(e.count)),
                    step: Int(request.shardVersion), now: now)
            }
            if request.trainingDone || request.finished {
                actions += try state.workerDoneTraining(id, worker: worker, now: now)
            }
            if request.finished {
                actions += try state.workerFinished(id, worker: worker, final: request.hasTrain ? progress : nil, now: now)
            }
            let job = state.job(id)
            // Only a chief that is done training waits for its peers (TaskRunner); other reports need no answer.
            let peersFinished = request.trainingDone && state.peersFinished(id, except: worker)
            if let job, job.state.isTerminal, case .continue = directive, !request.finished {
                directive = .stop("\(id) is \(job.state.rawValue)" + (job.reason.isEmpty ? "" : ": \(job.reason)"))
            }
            return (directive, actions, peersFinished)
        }
        if let job = try? readState({ $0.job(id) }) {
            tensorBoard.record(id, report: request, step: Int64(job.step), effectiveReplicas: job.spec.training.mode == .sync ? job.effectiveReplicas : nil)
        }
        await perform(actions)
        return .with {
            if case .stop(let reason) = directive {
                $0.stop = true
                $0.reason = reason
            }
            $0.peersFinished = peersFinished
        }
    }

    /// Carries out what the state machine decided. A job's final checkpoint and the release of its shards run in
    /// the background (in that order), so the RPC that ended the job answers at once.
    func perform(_ actions: [CoordinatorAction]) async {
        var actions = actions
        for case .checkpoint(let id, _) in actions {
            let release = actions.filter { if case .dropJob(id, _) = $0 { true } else { false } }
            actions.removeAll { if case .dropJob(id, _) = $0 { true } else { false } }
            Task {
                await self.performNow([.checkpoint(id, shards: [])] + release)
            }
        }
        actions.removeAll { if case .checkpoint = $0 { true } else { false } }
        await performNow(actions)
    }

    /// Carries out actions in order, waiting for each.
    func performNow(_ actions: [CoordinatorAction]) async {
        for action in actions {
            switch action {
            case .dropJob(let id, let shards):
                for (job, targets) in retention.release(id, shards: shards, succeeded: jobState(id) == .succeeded) {
                    for shard in targets {
                        guard let address = try? HostPort(parsing: shard.address) else { continue }
                        await self.shards.dropJob(job.rawValue, on: address)
                    }
                }
            case .jobEnded(let id, let state, let reason):
                logger.info("job ended", metadata: ["job": "\(id)", "state": "\(state.rawValue)", "reason": "\(reason)"])
                // Ended jobs past the retention limit go now (the oldest first).
                await performNow((try? await withState { $0.applyRetention() }) ?? [])
            case .jobDeleted(let id, let shards):
                await forget(id, shards: shards)
            case .nodeChanged(let change):
                logger.notice("node \(change.name) is \(change.to.rawValue)", metadata: ["node": "\(change.node)", "was": "\(change.from.rawValue)"])
            case .stopWorkers(let id, _, let reason):
                logger.info("stopping workers", metadata: ["job": "\(id)", "reason": "\(reason)"])
            case .setEffectiveReplicas(let id, let replicas, let targets):
                logger.notice("effective replicas changed", metadata: ["job": "\(id)", "replicas": "\(replicas)"])
                await withTaskGroup(of: Void.self) { group in
                    for shard in targets {
                        guard let address = try? HostPort(parsing: shard.address) else { continue }
                        group.addTask { await self.shards.setReplicas(id.rawValue, replicas: replicas, on: address) }
                    }
                }
            case .checkpoint(let id, _):
                do {
                    try await takeCheckpoint(id, reason: "final", waitLimit: .seconds(10))
                } catch {
                    logger.warning("final checkpoint failed", metadata: ["job": "\(id)", "error": "\(error)"])
                }
            }
        }
    }
}

extension CoordinatorService {
    func jobState(_ id: JobID) -> JobState? {
        state.withLock { $0.job(id)?.state }
    }
}

/// Keeps the variables of the most recent succeeded jobs on their shards (so `clusterctl pull`
/// can read them) and releases older ones; cancelled and failed jobs are released at once.
final class JobRetention: Sendable {
    private let kept = LockedValue<[(JobID, [ShardTarget])]>([])
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// The jobs whose shard memory should be dropped now.
    func release(_ id: JobID, shards: [ShardTarget], succeeded: Bool) -> [(JobID, [ShardTarget])] {
        guard succeeded else { return [(id, shards)] }
        return kept.withLock { kept in
            kept.append((id, shards))
            guard kept.count > limit else { return [] }
            let old = Array(kept.prefix(kept.count - limit))
            kept.removeFirst(kept.count - limit)
            return old
        }
    }

    /// Stops keeping a deleted job: the shards that still hold it (to drop it from), or nil when none do.
    func forget(_ id: JobID) -> [ShardTarget]? {
        kept.withLock { kept in
            guard let index = kept.firstIndex(where: { $0.0 == id }) else { return nil }
            return kept.remove(at: index).1
        }
    }
}
