import DataPlane
import JobSpec

/// How long a task trains: the job's mode, step budget and epochs, from its spec and this worker's data.
struct StepBudget {
    /// Synchronous training (versions advance once per N gradients).
    let sync: Bool
    /// The job ends when any shard reaches this version (`training.max_steps`), nil: after `epochs`.
    let maxSteps: UInt64?
    /// Epochs this worker runs (unbounded when `max_steps` decides).
    let epochs: Int
    /// Batches per epoch on this worker.
    let stepsPerEpoch: Int
    /// The steps the job runs in all, as reported to the coordinator (sync: versions; async: every worker's steps).
    let totalSteps: Int64

    init(spec: JobSpec, stepsPerEpoch: Int, workers: Int) {
        sync = spec.training.mode == .sync
        maxSteps = spec.training.maxSteps.map { UInt64(clamping: $0) }
        // A stream is one endless epoch (its batches wait for data); max_steps or a stop ends it.
        epochs = spec.data.stream != nil ? 1 : spec.training.maxSteps == nil ? (spec.training.epochs ?? 1) : Int.max
        self.stepsPerEpoch = stepsPerEpoch
        let perWorker = Int64(clamping: epochs).multipliedReportingOverflow(by: Int64(stepsPerEpoch))
        let all = perWorker.partialValue.multipliedReportingOverflow(by: Int64(max(workers, 1)))
        totalSteps =
            if spec.data.stream != nil, maxSteps == nil { 0 }  // a stream runs until cancelled: no total to show
            else if let maxSteps { Int64(clamping: maxSteps) } else if perWorker.overflow { .max } else if sync { perWorker.partialValue } else if all.overflow { .max } else { all.partialValue }
    }
}

/// The loop's position and counters: what the reports carry and what decides when to stop or evaluate.
struct LoopProgress {
    let budget: StepBudget
    /// Steps this worker ran in the job.
    var workerStep: Int64 = 0
    /// The epoch the loop is in.
    var epoch = 0
    /// Examples this worker trained on.
    var samples: Int64 = 0
    /// This worker's gradients the shards dropped as stale.
    var staleDropped: Int64 = 0
    /// The highest version any shard reported.
    var highestVersion: UInt64 = 0
    /// The version of the last periodic evaluation.
    var lastEvaluated: UInt64 = 0

    init(budget: StepBudget) { self.budget = budget }

    /// Starts at `consumed` batches into the job; returns the batches of the current epoch to skip.
    mutating func resume(at consumed: Int) -> Int {
        workerStep = Int64(consumed)
        let perEpoch = max(budget.stepsPerEpoch, 1)
        epoch = consumed / perEpoch
        return consumed % perEpoch
    }

    /// The shards answered at `versions`.
    mutating func saw(_ versions: [UInt64]) { highestVersion = max(highestVersion, versions.max() ?? 0) }

    /// A step of `batch` examples was pushed with `pushed`'s outcome.
    mutating func stepped(batch: Int, pushed: PushSummary) {
        staleDropped += Int64(pushed.stale)
        highestVersion = max(highestVersion, pushed.maxVersion)
        workerStep += 1
        samples += Int64(batch)
    }

    /// Some shard reached `max_steps`.
    var budgetSpent: Bool { budget.maxSteps.map { highestVersion >= $0 } ?? false }

    /// A periodic evaluation is due (every `every` versions; never when 0); marks it done.
    mutating func evaluationDue(every: Int) -> Bool {
        guard every > 0, highestVersion >= lastEvaluated &+ UInt64(every) else { return false }
        lastEvaluated = highestVersion
        return true
    }

    /// The report for the figures given.
    func report(train: TrainingFigures?, eval: TrainingFigures?, rate: Double, trainingDone: Bool, finished: Bool) -> ProgressReport {
        ProgressReport(
            workerStep: workerStep, epoch: epoch, samples: samples, train: train, eval: eval, version: highestVersion,
            staleDropped: staleDropped, stepsPerSecond: rate, totalSteps: budget.totalSteps, trainingDone: trainingDone || finished,
            finished: finished)
    }
}

/// Which versions the next step's parameters must be at least, and whether they are already in the buffers (pulled
/// while the previous push was in flight).
struct PullCursor {
    let sync: Bool
    private var pulled: [UInt64]?
    private var prefetch: [UInt64]?

    init(sync: Bool) { self.sync = sync }

    /// The versions in the parameters for the next step: the prefetched ones, or what `pull` (given the minimum
    /// versions: sync, newer than the last step's) brings.
    mutating func next(_ pull: ([UInt64]?) async throws -> [UInt64]) async throws -> [UInt64] {
        if let ready = prefetch {
            prefetch = nil
            return ready
        }
        return try await pull(pulled.flatMap(minimum(after:)))
    }

    /// The minimum versions of a pull after a step at `versions` (sync: the next version; async: any).
    func minimum(after versions: [UInt64]) -> [UInt64]? { sync ? versions.map { $0 == .max ? $0 : $0 + 1 } : nil }

    /// The next step's parameters were pulled at `versions`.
    mutating func prefetched(_ versions: [UInt64]) { prefetch = versions }

    /// Forgets parameters pulled ahead (a stream waited for data: they are older than what a fresh pull brings).
    mutating func dropPrefetch() { prefetch = nil }

    /// A step ran on the parameters at `versions`.
    mutating func stepped(_ versions: [UInt64]) { pulled = versions }
}
