import ClusterAPI
import Coordinator
import Logging
import Training

/// Runs one task of a job on this worker: loads its data, builds the model, gets the placement (declaring the
/// variables when chief), connects to the shards, and hands the rest to `StepLoop`, sending its reports to the
/// coordinator.
struct TaskRunner {
    let assignment: Tessera_V1_TaskAssignment
    /// This worker's id and node secret, carried by every call.
    let identity: NodeIdentity
    let config: WorkerConfig
    let client: CoordinatorClient
    let logger: Logger

    func run() async throws -> StepLoop.Outcome {
        let spec = try JobSpec(proto: assignment.spec)
        let data = try await loadData(spec)
        let model = try ModelBuilder.make(spec: spec, data: data)
        let plan = RoutePlan(placement: try await placement(for: model, preprocessing: data.preprocessing.json))
        try checkPlacement(plan, matches: model)
        let shards = try ParameterClient(jobID: assignment.jobNumber, workerID: assignment.workerIndex, routes: plan.routes) {
            try DataPlaneChannels.make(spec.cluster.transport, address: $0, token: config.token, tls: config.tls)
        }
        defer { shards.close() }
        var jobLogger = logger
        jobLogger[metadataKey: "job"] = "\(assignment.jobID)"
        var loop = StepLoop(
            spec: spec, data: data, model: model, shards: shards, backend: try ComputeDevice.backend(named: config.device, threads: config.threads),
            isChief: assignment.isChief, workerCount: Int(assignment.workerCount), resumeBatches: Int(clamping: assignment.resumeBatches),
            reportInterval: config.reportInterval, slowdown: config.slowdown,
            logger: jobLogger)
        loop.stepDelay = config.stepDelay
        // The steps run on a thread of their own (one core's caches; the cooperative pool stays free for the rest).
        let client = self.client, assignment = self.assignment, identity = self.identity
        let thread = StepThread.lease()
        defer { thread.release() }
        return try await withTaskExecutorPreference(thread) {
            try await loop.run { report in ProgressAnswer(try await client.report(.init(report, job: assignment.jobID, from: identity))) }
        }
    }

    /// The task's data; a stream job first waits for its first file (which fixes the columns and statistics).
    private func loadData(_ spec: JobSpec) async throws -> WorkerData {
        let index = Int(assignment.workerIndex), count = Int(assignment.workerCount)
        guard let stream = spec.data.stream else {
            return try WorkerData.load(
                spec: spec, dataRoot: config.dataRoot, workerIndex: index, workerCount: count, maxDataBytes: config.maxDataBytes,
                cache: config.datasetCache, evaluates: assignment.isChief)
        }
        let logger = self.logger, job = assignment.jobID
        var announced = false
        while true {
            let data = try WorkerData.loadStream(
                stream, spec: spec, dataRoot: config.dataRoot, workerIndex: index, workerCount: count, maxDataBytes: config.maxDataBytes,
                onSkip: { name, reason in
                    logger.warning("stream file left out", metadata: ["job": "\(job)", "file": "\(name)", "reason": "\(reason)"])
                })
            if let data { return data }
            if !announced {
                logger.info("waiting for the stream's first file", metadata: ["job": "\(job)", "dir": "\(stream.dir)", "pattern": "\(stream.pattern)"])
                announced = true
            }
            try await Task.sleep(for: .milliseconds(stream.pollMs))
        }
    }

    /// The chief declares the variables; the others wait until the placement is ready.
    private func placement(for model: any Model, preprocessing: String) async throws -> [Tessera_V1_PartitionPlacement] {
        if assignment.placementReady { return assignment.placement }
        if assignment.isChief {
            return try await client.declare(.with {
                $0.nodeID = identity.id
                $0.nodeSecret = identity.secret
                $0.jobID = assignment.jobID
                $0.variables = model.variables.map(\.decl)
                $0.preprocessing = preprocessing
            })
        }
        while true {
            try await Task.sleep(for: .milliseconds(100))
            let answer = try await client.task(identity)
            guard answer.hasTask, answer.task.jobID == assignment.jobID else {
                throw RuntimeFailure(.aborted, "\(assignment.jobID) was withdrawn from this worker before it started")
            }
            if answer.task.placementReady { return answer.task.placement }
        }
    }

    private func checkPlacement(_ plan: RoutePlan, matches model: any Model) throws {
        let declared = model.variables
        guard plan.variables.count == declared.count,
            zip(plan.variables, declared).allSatisfy({ $0.name == $1.name && $0.shape == $1.shape })
        else {
            throw RuntimeFailure(.failedPrecondition, "the job's placed variables \(plan.variables.map { "\($0.name)\($0.shape)" }) do not match this worker's model \(declared.map { "\($0.name)\($0.shape)" }): do all workers see the same data?")
        }
    }
}
