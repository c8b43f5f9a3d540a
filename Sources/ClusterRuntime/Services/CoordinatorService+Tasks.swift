import ClusterAPI
import Coordinator
import GRPCCore
import ParameterStore
import TensorWire

extension CoordinatorService {
    /// Hands a worker its task (with the placement once it is ready); the worker's node secret must match. With
    /// `wait_ms` the call is held (a long poll) until a task is ready, the wait ends or the coordinator stops.
    public func getTask(request: Tessera_V1_GetTaskRequest, context: ServerContext) async throws -> Tessera_V1_GetTaskResponse {
        try authenticate(request.nodeID, request.nodeSecret)
        let wakeups = machine.wakeups
        let hold = Self.taskHold(waitMs: request.waitMs)
        let holding = hold > .zero && wakeups.enter()
        defer { if holding { wakeups.leave() } }
        let until = ContinuousClock.now + hold
        var assignment: TaskAssignment?
        while true {
            let seen = wakeups.generation
            assignment = try await withState(wakes: false) { try $0.assignTask(worker: NodeID(request.nodeID), now: Self.now()) }
            let left = until - .now
            guard assignment == nil, holding, left > .zero, !Task.isCancelled, !wakeups.isClosed else { break }
            await wakeups.wait(since: seen, node: request.nodeID, timeout: min(left, Self.taskRecheckInterval))
        }
        guard let assignment else {
            // After a full hold the worker asks again at once; a stopping coordinator or a short poll: in 250 ms.
            return .with { $0.retryAfterMs = holding && !wakeups.isClosed && !Task.isCancelled ? 10 : 250 }
        }
        let names = machine.peek { Self.nodeNames($0) }
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

    /// Longest a GetTask call is held as a long poll (`wait_ms` is capped to it).
    static let maxTaskWaitMs: UInt32 = 30_000
    /// How long a GetTask asking for `waitMs` (any value a client sends) is held at most: capped to `maxTaskWaitMs`.
    public static func taskHold(waitMs: UInt32) -> Duration { .milliseconds(Int64(min(waitMs, maxTaskWaitMs))) }

    /// How often a held GetTask call re-checks without being woken: a safety net only, every change that can make a
    /// task assignable wakes held calls (persisted changes, and a node revived by its heartbeat).
    static let taskRecheckInterval = Duration.seconds(5)

    /// Ends held GetTask calls and answers later ones at once: the coordinator is stopping.
    public func endHeldCalls() { machine.wakeups.close() }

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
                let placement = try state.declareVariables(
                    id, from: NodeID(request.nodeID), variables, preprocessing: request.preprocessing.isEmpty ? nil : request.preprocessing)
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
                    try await initialise(job)
                    logger.info("job initialised", metadata: ["job": "\(id)", "init_from": "\(source)"])
                }
                await perform(try await withState { try $0.placementReady(id, now: Self.now()) })
            } catch {
                let failure = RuntimeFailure(serving: error)
                logger.error("placing variables failed", metadata: ["job": "\(id)", "error": "\(failure.message)"])
                await perform((try? await withState { try $0.placementFailed(id, reason: failure.message, now: Self.now()) }) ?? [])
                throw RPCError(code: failure.code.rpcCode, message: "\(id): creating variables on the shards failed: \(failure.message)")
            }
        }
        let names = machine.peek { Self.nodeNames($0) }
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
}
