import DataPlane
import JobSpec
import Logging
import Training

/// One task's training on a worker, over domain types only: pull → compute → push until the job's budget is spent,
/// reporting progress through a closure; the chief ends with the evaluation on the held-out split. The transport is
/// whatever the `ParameterClient`'s channels are: sockets in workerd (`TaskRunner`), `InMemoryDataPlaneChannel` in tests.
public struct StepLoop {
    /// How a task ended.
    public enum Outcome: String, Sendable { case finished, stopped }

    /// Sends a report to the coordinator and returns its answer.
    public typealias Reporter = (ProgressReport) async throws -> ProgressAnswer

    /// The job's spec (mode, step budget, evaluation interval).
    public let spec: JobSpec
    /// This worker's data.
    public let data: WorkerData
    /// The model the job trains.
    public let model: any Model
    /// The job's shards, as routed for this worker.
    public let shards: ParameterClient
    /// Where steps are computed.
    public let backend: any ComputeBackend
    /// This worker is the job's chief (it evaluates, and waits for the others at the end).
    public let isChief: Bool
    /// Workers in the job (async jobs count every worker's steps in the total).
    public let workerCount: Int
    /// Async jobs: batches the slot's last holder consumed (sync jobs resume from the shards' version instead).
    public let resumeBatches: Int
    /// Least time between two progress reports.
    public let reportInterval: Duration
    /// Simulated slowness: each step's compute takes this many times as long (1: none).
    public let slowdown: Double
    /// Simulated compute time drawn per step and slept after it (`workerd --step-delay`; nil: none).
    public var stepDelay: StepDelay?
    /// Where the loop logs.
    public let logger: Logger

    /// A loop over `shards` for `model` on `data`.
    public init(
        spec: JobSpec, data: WorkerData, model: any Model, shards: ParameterClient, backend: any ComputeBackend, isChief: Bool,
        workerCount: Int, resumeBatches: Int = 0, reportInterval: Duration = .seconds(1), slowdown: Double = 1, logger: Logger
    ) {
        self.spec = spec
        self.data = data
        self.model = model
        self.shards = shards
        self.backend = backend
        self.isChief = isChief
        self.workerCount = workerCount
        self.resumeBatches = resumeBatches
        self.reportInterval = reportInterval
        self.slowdown = slowdown
        self.logger = logger
    }

    /// Trains until the budget is spent or the coordinator says stop; a chief then waits for its peers and reports
    /// the final evaluation. `.stopped` when the job went away meanwhile (NOT_FOUND / FAILED_PRECONDITION at the end).
    public func run(report: Reporter) async throws -> Outcome {
        let budget = StepBudget(spec: spec, stepsPerEpoch: data.batchesPerEpoch, workers: workerCount)
        let first = try StepBuffers(model: model)
        // Embedding tables move as the batch's rows (SparseStep); dense variables as whole partitions.
        let exchange = try StepExchange(model: model, parameters: first.parameters, gradients: first.gradients)
        // Async, dense, a fixed data set and no staleness bound: the exchange runs beside the next step's compute.
        let pipeline = try pipelined(budget: budget, exchange: exchange) ? StepPipeline(first: first, model: model, shards: shards, depth: StepPipeline.defaultDepth) : nil
        var reporter = ProgressReporter(interval: reportInterval)
        var progress = LoopProgress(budget: budget)
        var cursor = PullCursor(sync: budget.sync)
        var skip = try await progress.resume(at: resumePosition(first.parameterBuffers, sync: budget.sync))
        var delays = stepDelay?.makeSampler()
        if let pipeline { pipeline.start(pulledAt: try await shards.pull(into: first.parameterBuffers)) }

        func send(eval: TrainingFigures?, trainingDone: Bool = false, finished: Bool = false) async throws -> ProgressAnswer {
            try await report(progress.report(train: reporter.drain(), eval: eval, rate: reporter.stepsPerSecond, trainingDone: trainingDone, finished: finished))
        }

        // A stream waits for its next file here: it keeps reporting (so a cancel or max_steps reaches it) and, in
        // async mode, drops parameters pulled before the wait (they would be stale by the time the data comes).
        var stopped = false
        let poll = Duration.milliseconds(spec.data.stream?.pollMs ?? StreamSpec.defaultPollMs)
        func waitForData() async throws -> Bool {
            try Task.checkCancellation()
            try await Task.sleep(for: poll)
            if !budget.sync { cursor.dropPrefetch() }
            guard reporter.isDue else { return false }
            let answer = try await send(eval: nil)
            if answer.stop {
                logger.info("coordinator stopped the task", metadata: ["reason": "\(answer.reason)"])
                stopped = true
            }
            return answer.stop
        }

        training: while progress.epoch < budget.epochs {
            var batches = try data.trainBatches(epoch: progress.epoch)
            if let stream = data.stream, skip > 0 {
                stream.skip(batches: skip)
                logger.info("continuing the stream after the batches the job's parameters hold", metadata: ["batches": "\(skip)"])
                skip = 0
            }
            while skip > 0, try batches.next() != nil { skip -= 1 }
            while let batch = try await batches.next(waiting: waitForData) {
                try Task.checkCancellation()
                let step: StepBuffers, versions: [UInt64]
                if let pipeline {
                    let ready = try await pipeline.nextStep()
                    for done in ready.finished { progress.stepped(batch: done.batch, pushed: done.summary) }
                    (step, versions) = (ready.buffers, ready.versions)
                } else {
                    (step, versions) = (first, try await cursor.next { try await shards.pull(into: first.parameterBuffers, minimumVersions: $0) })
                }
                progress.saw(versions)
                if progress.budgetSpent { break training }
                let tagged = try await exchange.pullRows(for: batch, shards: shards, versions: versions, sync: budget.sync)
                let computeStart = ContinuousClock.now
                var gradients = step.gradients
                let result = try exchange.trainStep(model, parameters: step.parameters, batch: batch, gradients: &gradients, backend: backend)
                if slowdown > 1 { try await Task.sleep(for: (ContinuousClock.now - computeStart) * (slowdown - 1)) }
                if let delay = delays?.nextDelay(), delay > .zero { try await Task.sleep(for: delay) }
                if let pipeline {
                    pipeline.stepped(versions: tagged, batch: batch.count)
                } else {
                    let pushed: PushSummary
                    if batches.hasMore || progress.epoch + 1 < budget.epochs {
                        // Another step follows: pull its parameters while this gradient is pushed (one round trip
                        // instead of two). Sync: the pull waits for the version this push helps complete; async:
                        // the parameters may not include this worker's own gradient yet (one step more staleness).
                        let shards = shards, minimum = cursor.minimum(after: versions)
                        async let pushing = exchange.push(shards, first.gradientBuffers, versions: tagged)
                        async let pulling = shards.pull(into: first.parameterBuffers, minimumVersions: minimum)
                        pushed = try await pushing
                        cursor.prefetched(try await pulling)
                    } else {
                        pushed = try await exchange.push(shards, first.gradientBuffers, versions: tagged)
                    }
                    cursor.stepped(versions)
                    progress.stepped(batch: batch.count, pushed: pushed)
                }
                reporter.add(result)

                var evaluation: TrainingFigures?
                if isChief, progress.evaluationDue(every: spec.training.evalEverySteps) {
                    var parameters = step.parameters
                    if let pipeline {
                        // The exchanges in flight write the buffers: wait for them, then evaluate the newest parameters.
                        let drained = try await pipeline.drain()
                        for done in drained.finished { progress.stepped(batch: done.batch, pushed: done.summary) }
                        parameters = drained.newest.parameters
                    }
                    evaluation = try await exchange.evaluate(data, model: model, parameters: parameters, shards: shards, backend: backend)
                }
                if reporter.isDue || evaluation != nil {
                    let answer = try await send(eval: evaluation)
                    if answer.stop {
                        logger.info("coordinator stopped the task", metadata: ["reason": "\(answer.reason)"])
                        break training
                    }
                }
                if progress.budgetSpent { break training }
            }
            if stopped { break training }
            progress.epoch += 1
        }

        // Finish: the chief waits for the others, then evaluates the final parameters. A job that was
        // cancelled meanwhile answers with errors here, which only end the task.
        do {
            if let pipeline {
                for done in try await pipeline.drain().finished { progress.stepped(batch: done.batch, pushed: done.summary) }
            }
            var final: TrainingFigures?
            if isChief {
                while true {
                    let answer = try await send(eval: nil, trainingDone: true)
                    if answer.peersFinished || answer.stop { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                progress.saw(try await shards.pull(into: first.parameterBuffers))
                final = try await exchange.evaluate(data, model: model, parameters: first.parameters, shards: shards, backend: backend)
            }
            _ = try await send(eval: final, finished: true)
            return .finished
        } catch let failure as RuntimeFailure where failure.code == .notFound || failure.code == .failedPrecondition {
            logger.info("task ended without a final report", metadata: ["reason": "\(failure.message)"])
            return .stopped
        }
    }

    /// Whether steps run through a `StepPipeline`: async mode without `max_staleness` (a bound would drop the older
    /// gradients it makes), a dense model (embedding rows are pulled per batch, not ahead) and a fixed data set (a
    /// stream's waits would leave parameters pulled ahead stale).
    private func pipelined(budget: StepBudget, exchange: StepExchange) -> Bool {
        !budget.sync && spec.training.maxStaleness == nil && exchange.sparse == nil && data.stream == nil
    }

    /// Batches this worker already consumed, judged from the job's current version (0 for a new job). Sync jobs only:
    /// every version took one batch from each worker; an async task continues its slot from `resumeBatches`.
    private func resumePosition(_ buffers: VariableBuffers, sync: Bool) async throws -> Int {
        let stepsPerEpoch = max(data.batchesPerEpoch, 1)
        guard sync else {
            if resumeBatches > 0 {
                logger.info("continuing the slot from its last reported step", metadata: [
                    "worker_step": "\(resumeBatches)", "epoch": "\(resumeBatches / stepsPerEpoch)",
                ])
            }
            return resumeBatches
        }
        let version = Int(clamping: try await shards.pull(into: buffers, minimumVersions: nil).max() ?? 0)
        if version > 0 {
            logger.info("continuing the job from its current step", metadata: [
                "step": "\(version)", "epoch": "\(version / stepsPerEpoch)", "batch": "\(version % stepsPerEpoch)",
            ])
        }
        return version
    }
}
