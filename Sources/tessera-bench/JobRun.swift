import ClusterAPI
import ClusterRuntime
import Foundation

/// One job submitted to a `BenchCluster` and watched by polling GetJob: the samples and steps the
/// workers report over time, and the job's metric history at the end.
struct JobRun {
    /// One poll: wall time (Unix seconds), applied steps, samples trained.
    struct Sample {
        var time: Double
        var step: Int64
        var samples: Int64
    }

    /// The job as last seen (with history).
    var job: Tessera_V1_Job
    /// Every poll, in order.
    var polls: [Sample]
    /// Whether the benchmark cancelled the job at its wall-time limit.
    var cancelled: Bool

    /// Submits `yaml`, polls every `interval` until the job ends or `limit` seconds after it started
    /// running (then cancels it), and returns the run.
    static func run(_ client: CoordinatorClient, yaml: String, limit: Double, interval: Duration = .milliseconds(200)) async throws -> JobRun {
        let submitted = try await client.submit(yaml: yaml)
        var polls: [Sample] = []
        var cancelled = false
        let hardStop = ContinuousClock.now + .seconds(limit + 120)
        while true {
            let job = try await client.job(submitted.id)
            let now = Date().timeIntervalSince1970
            if job.state == .running || job.samples > 0 { polls.append(Sample(time: now, step: job.step, samples: job.samples)) }
            if [.succeeded, .failed, .cancelled].contains(job.state) { break }
            if job.startedAt > 0, now - job.startedAt >= limit, !cancelled {
                _ = try await client.cancel(submitted.id)
                cancelled = true
            }
            if ContinuousClock.now > hardStop { throw BenchFailure("job \(submitted.id) did not end within \(Int(limit + 120)) s") }
            try await Task.sleep(for: interval)
        }
        let job = try await client.job(submitted.id, withHistory: true)
        if job.state == .failed { throw BenchFailure("job \(job.id) failed: \(job.reason)") }
        return JobRun(job: job, polls: polls, cancelled: cancelled)
    }

    /// Rate of `value` between the first and the last poll at which it changed (reports arrive in
    /// bursts, so the ends of the window are the moments new figures were seen).
    private func rate(_ value: (Sample) -> Int64) -> Double {
        var changes: [Sample] = []
        var last: Int64 = 0
        for poll in polls where value(poll) != last {
            changes.append(poll)
            last = value(poll)
        }
        guard let first = changes.first, let end = changes.last, end.time > first.time else { return .nan }
        return Double(value(end) - value(first)) / (end.time - first.time)
    }

    /// Samples per second while training (workers' reported samples over the polled window).
    var samplesPerSecond: Double { rate(\.samples) }

    /// Applied steps (shard versions) per second while training.
    var stepsPerSecond: Double { rate(\.step) }

    /// Evaluation points of the history: seconds since the job started, step, accuracy.
    var evaluations: [(seconds: Double, step: Int64, accuracy: Double)] {
        job.history.filter { $0.kind == "eval" && $0.metrics.hasAccuracy }.map {
            ($0.time - job.startedAt, $0.step, $0.metrics.accuracy)
        }
    }

    /// Seconds from the job's start to the first evaluation at or above `accuracy`; nil when never reached.
    func secondsTo(_ accuracy: Double) -> Double? {
        evaluations.first { $0.accuracy >= accuracy }?.seconds
    }

    /// The best held-out accuracy seen (history or the final evaluation).
    var bestAccuracy: Double? {
        let values = evaluations.map(\.accuracy) + (job.hasEvalMetrics && job.evalMetrics.hasAccuracy ? [job.evalMetrics.accuracy] : [])
        return values.max()
    }

    /// The last held-out accuracy seen.
    var lastAccuracy: Double? {
        if job.hasEvalMetrics, job.evalMetrics.hasAccuracy { return job.evalMetrics.accuracy }
        return evaluations.last?.accuracy
    }

    /// Wall seconds the job ran (start to end).
    var wallSeconds: Double { job.finishedAt > job.startedAt ? job.finishedAt - job.startedAt : .nan }
}
