import ClusterAPI
import Coordinator
import Foundation
import Logging
import Training

/// Runs one task of a job on this worker: builds the model, gets the placement (declaring the
/// variables when chief), then pull → compute → push until the job's budget is spent, reporting
/// progress; the chief ends with the evaluation on the held-out split.
struct TaskRunner {
    /// How a task ended.
    enum Outcome: String { case finished, stopped }

    let assignment: Tessera_V1_TaskAssignment
    /// This worker's id and node secret, carried by every call.
    let identity: NodeIdentity
    let config: WorkerConfig
    let client: CoordinatorClient
    let logger: Logger

    /// Batches this worker already consumed, judged from the job's current version (0 for a new job). Sync jobs only:
    /// every version took one batch from each worker; an async task starts its shard of the data from the beginning.
    func resumePosition(shards: ParameterClient, into buffers: VariableBuffers, sync: Bool, workers: Int, stepsPerEpoch: Int) async throws -> Int {
        guard sync else {
            // Async: the slot's own position, as its last holder reported it.
            let consumed = Int(assignment.resumeBatches)
            if consumed > 0 {
                logger.info("continuing the slot from its last reported step", metadata: [
                    "job": "\(assignment.jobID)", "worker_step": "\(consumed)", "epoch": "\(consumed / max(stepsPerEpoch, 1))",
                ])
            }
            return consumed
        }
        let version = Int(try await shards.pull(into: buffers, minimumVersions: nil).max() ?? 0)
        guard version > 0 else { return 0 }
        let consumed = version
        logger.info("continuing the job from its current step", metadata: [
            "job": "\(assignment.jobID)", "step": "\(version)", "epoch": "\(consumed / max(stepsPerEpoch, 1))",
            "batch": "\(consumed % max(stepsPerEpoch, 1))",
        ])
        return consumed
    }

    func run() async throws -> Outcome {
        let spec = try JobSpec(proto: assignment.spec)
        let index = Int(assignment.workerIndex)
        let count = Int(assignment.workerCount)
        let data = try WorkerData.load(spec: spec, dataRoot: config.dataRoot, workerIndex: index, workerCount: count, maxDataBytes: config.maxDataBytes)
        let model = try ModelBuilder.make(spec: spec, data: data)
        let placement = try await placement(for: model)
        let plan = RoutePlan(placement: placement)
        try checkPlacement(plan, matches: model)

        let parameters = try ParameterSet(variables: model.variables)
        var gradients = try ParameterSet(variables: model.variables)
        let parameterBuffers = VariableBuffers(parameters.tensors.map { UnsafeMutableBufferPointer(start: $0.baseAddress, count: $0.count) })
        let gradientBuffers = VariableBuffers(gradients.tensors.map { UnsafeMutableBufferPointer(start: $0.baseAddress, count: $0.count) })
        let shards = try ParameterClient(jobID: assignment.jobNumber, workerID: assignment.workerIndex, routes: plan.routes) {
            try DataPlaneChannels.make(spec.cluster.transport, address: $0, token: config.token, tls: config.tls)
        }
        defer { shards.close() }
        let backend = try ComputeDevice.backend(named: config.device, threads: config.threads)
        // Embedding tables move as the batch's rows (TaskRunner+Sparse.swift); dense variables as before.
        let exchange = StepExchange(sparse: try SparseStep.make(model: model, plan: plan, parameters: parameters, gradients: gradients))

        let sync = spec.training.mode == .sync
        let maxSteps = spec.training.maxSteps.map { UInt64($0) }
        let epochs = spec.training.maxSteps == nil ? (spec.training.epochs ?? 1) : Int.max
        let stepsPerEpoch = data.batchesPerEpoch
        let totalSteps: Int64 =
            if let maxSteps { Int64(maxSteps) } else if sync { Int64(epochs * stepsPerEpoch) } else { Int64(epochs * stepsPerEpoch * count) }

        var reporter = ProgressReporter(interval: config.reportInterval)
        var workerStep: Int64 = 0
        var samples: Int64 = 0
        var pulledVersions: [UInt64]? = nil
        var lastEval: UInt64 = 0
        var staleDropped: Int64 = 0
        var highestVersion: UInt64 = 0
        var prefetched: [UInt64]? = nil  // versions already pulled into the parameters for the next step
        var epoch = 0
        // A task started on a job that already trained (resumed from a checkpoint, or a worker that came back)
        // continues from the job's data position: in sync mode every version consumed one batch per worker.
        var skip = try await resumePosition(shards: shards, into: parameterBuffers, sync: sync, workers: count, stepsPerEpoch: stepsPerEpoch)
        workerStep = Int64(skip)
        epoch = skip / max(stepsPerEpoch, 1)
        skip %= max(stepsPerEpoch, 1)
        training: while epoch < epochs {
            var batches = try data.trainBatches(epoch: epoch)
            while skip > 0, try batches.next() != nil { skip -= 1 }
            while let batch = try batches.next() {
                try Task.checkCancellation()
                let versions: [UInt64]
                if let next = prefetched {
                    versions = next
                    prefetched = nil
                } else {
                    let minimum = sync ? pulledVersions.map { $0.map { $0 + 1 } } : nil
                    versions = try await shards.pull(into: parameterBuffers, minimumVersions: minimum)
                }
                highestVersion = max(highestVersion, versions.max() ?? 0)
                if let maxSteps, highestVersion >= maxSteps { break training }
                let tagged = try await exchange.pullRows(for: batch, shards: shards, versions: versions, sync: sync)
                let computeStart = ContinuousClock.now
                let result = try exchange.trainStep(model, parameters: parameters, batch: batch, gradients: &gradients, backend: backend)
                if config.slowdown > 1 { try await Task.sleep(for: (ContinuousClock.now - computeStart) * (config.slowdown - 1)) }
                let pushed: PushSummary
                if batches.hasMore || epoch + 1 < epochs {
                    // Another step follows: pull its parameters while this gradient is pushed (one round trip
                    // instead of two). Sync: the pull waits for the version this push helps complete; async:
                    // the parameters may not include this worker's own gradient yet (one step more staleness).
                    async let pushing = exchange.push(shards, gradientBuffers, versions: tagged)
                    async let pulling = shards.pull(into: parameterBuffers, minimumVersions: sync ? versions.map { $0 + 1 } : nil)
                    pushed = try await pushing
                    prefetched = try await pulling
                } else {
                    pushed = try await exchange.push(shards, gradientBuffers, versions: tagged)
                }
                pulledVersions = versions
                staleDropped += Int64(pushed.stale)
                highestVersion = max(highestVersion, pushed.maxVersion)
                workerStep += 1
                samples += Int64(batch.count)
                reporter.add(result)

                var evaluation: Tessera_V1_Metrics?
                if assignment.isChief, spec.training.evalEverySteps > 0,
                    highestVersion >= lastEval + UInt64(spec.training.evalEverySteps)
                {
                    lastEval = highestVersion
                    evaluation = try await exchange.evaluate(data, model: model, parameters: parameters, shards: shards, backend: backend).proto
                }
                if reporter.isDue || evaluation != nil {
                    let answer = try await report(
                        reporter.drain(), eval: evaluation, step: workerStep, epoch: epoch, samples: samples,
                        version: highestVersion, stale: staleDropped, rate: reporter.stepsPerSecond, total: totalSteps)
                    if answer.stop {
                        logger.info("coordinator stopped the task", metadata: ["job": "\(assignment.jobID)", "reason": "\(answer.reason)"])
                        break training
                    }
                }
                if let maxSteps, highestVersion >= maxSteps { break training }
            }
            epoch += 1
        }

        // Finish: the chief waits for the others, then evaluates the final parameters. A job that was
        // cancelled meanwhile answers with errors here, which only end the task.
        do {
            var final: Tessera_V1_Metrics?
            if assignment.isChief {
                while true {
                    let answer = try await report(
                        reporter.drain(), eval: nil, step: workerStep, epoch: epoch, samples: samples, version: highestVersion,
                        stale: staleDropped, rate: reporter.stepsPerSecond, total: totalSteps, trainingDone: true)
                    if answer.peersFinished || answer.stop { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                let versions = try await shards.pull(into: parameterBuffers)
                highestVersion = max(highestVersion, versions.max() ?? 0)
                final = try await exchange.evaluate(data, model: model, parameters: parameters, shards: shards, backend: backend).proto
            }
            _ = try await report(
                reporter.drain(), eval: final, step: workerStep, epoch: epoch, samples: samples, version: highestVersion,
                stale: staleDropped, rate: reporter.stepsPerSecond, total: totalSteps, finished: true)
            return .finished
        } catch let failure as RuntimeFailure where failure.code == .notFound || failure.code == .failedPrecondition {
            logger.info("task ended without a final report", metadata: ["job": "\(assignment.jobID)", "reason": "\(failure.message)"])
            return .stopped
        }
    }

    private func report(
        _ train: Tessera_V1_Metrics?, eval: Tessera_V1_Metrics?, step: Int64, epoch: Int, samples: Int64, version: UInt64,
        stale: Int64, rate: Double, total: Int64, finished: Bool = false, trainingDone: Bool = false
    ) async throws -> Tessera_V1_ReportProgressResponse {
        try await client.report(.with {
            $0.nodeID = identity.id
            $0.nodeSecret = identity.secret
            $0.jobID = assignment.jobID
            $0.workerStep = step
            $0.epoch = Int32(epoch)
            $0.samples = samples
            if let train { $0.train = train }
            if let eval { $0.eval = eval }
            $0.shardVersion = Int64(version)
            $0.staleDropped = stale
            $0.stepsPerSecond = rate
            $0.finished = finished
            $0.trainingDone = trainingDone || finished
            $0.totalSteps = total
        })
    }

    /// The chief declares the variables; the others wait until the placement is ready.
    private func placement(for model: any Model) async throws -> [Tessera_V1_PartitionPlacement] {
        if assignment.placementReady { return assignment.placement }
        if assignment.isChief {
            return try await client.declare(.with {
                $0.nodeID = identity.id
                $0.nodeSecret = identity.secret
                $0.jobID = assignment.jobID
                $0.variables = model.variables.map(\.decl)
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

/// Averages training figures over the steps since the last report and measures steps per second.
struct ProgressReporter {
    let interval: Duration
    private var lossSum: Double = 0
    private var correct = 0
    private var count = 0
    private var steps = 0
    private var windowStart = ContinuousClock.now
    private var last: Tessera_V1_Metrics?
    private(set) var stepsPerSecond: Double = 0

    init(interval: Duration) { self.interval = interval }

    mutating func add(_ result: StepResult) {
        lossSum += Double(result.loss) * Double(result.count)
        correct += result.correct
        count += result.count
        steps += 1
    }

    var isDue: Bool { ContinuousClock.now - windowStart >= interval }

    /// The figures of the window since the last drain (the previous window's when no step ran since).
    mutating func drain() -> Tessera_V1_Metrics? {
        let elapsed = ContinuousClock.now - windowStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if seconds > 0, steps > 0 { stepsPerSecond = Double(steps) / seconds }
        defer {
            lossSum = 0; correct = 0; count = 0; steps = 0
            windowStart = .now
        }
        guard count > 0 else { return last }
        let metrics = Tessera_V1_Metrics.with {
            $0.loss = lossSum / Double(count)
            $0.accuracy = Double(correct) / Double(count)
            $0.count = Int64(count)
        }
        last = metrics
        return metrics
    }
}
