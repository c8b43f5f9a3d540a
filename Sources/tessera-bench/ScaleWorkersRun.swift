import ClusterAPI
import ClusterRuntime
import Foundation

/// One job of `tessera-bench scale-workers` on a `ScaleWorkersCluster`, watched by polling GetJob: the applied
/// steps over time, every evaluation the chief reports (seen as `eval_metrics` changing — the job's metric
/// history keeps only its newest 1,000 points, a few seconds of 50 workers' reports), and the cluster's CPU
/// and memory over the training window.
struct ScaleWorkersRun {
    /// One evaluation on the 10k test images: seconds since the first applied step, job step, figures.
    struct Evaluation {
        var seconds: Double
        var step: Int64
        var accuracy: Double
        var loss: Double
    }

    /// The job as last seen.
    var job: Tessera_V1_Job
    /// Seconds from RUNNING to the first applied step (placement, data loading, first pulls).
    var startupSeconds: Double
    /// Seconds from the first applied step to the end of training (target reached, budget spent or cancel).
    var trainingSeconds: Double
    /// Applied updates (shard versions) per second over the training window.
    var stepsPerSecond: Double
    /// Samples the workers reported per second over the training window (dropped gradients' samples included).
    var samplesPerSecond: Double
    /// Every evaluation seen, in order.
    var evaluations: [Evaluation]
    /// Whether the benchmark cancelled the job at its time cap.
    var cancelled: Bool
    /// Cores the cluster's processes used on average over the training window: all of them, and the psd alone.
    var clusterCores: Double
    var psdCores: Double
    /// Largest resident memory of all cluster processes together seen during the job, MiB.
    var peakResidentMiB: Double
    /// Cluster processes that exited while the job ran (a crash), with the training second it was noticed.
    var exited: [String]

    /// Seconds from the first applied step to the first evaluation at or above `accuracy`; nil when never reached.
    func secondsTo(_ accuracy: Double) -> Double? { evaluations.first { $0.accuracy >= accuracy }?.seconds }

    /// The last held-out accuracy seen.
    var finalAccuracy: Double? {
        if job.hasEvalMetrics, job.evalMetrics.hasAccuracy { return job.evalMetrics.accuracy }
        return evaluations.last?.accuracy
    }

    /// The best held-out accuracy seen.
    var bestAccuracy: Double? { evaluations.map(\.accuracy).max() }

    /// Submits `yaml` and polls every `interval` until the job ends, or cancels it `limit` seconds after its first
    /// applied step (or `startupLimit` seconds after RUNNING without one); a process of the cluster exiting, a
    /// FAILED job or a job that does not end within 120 s of its cancel is an error.
    static func run(_ cluster: ScaleWorkersCluster, yaml: String, limit: Double, startupLimit: Double = 240,
                    interval: Duration = .milliseconds(250)) async throws -> ScaleWorkersRun {
        let client = try cluster.api
        let submitted = try await client.submit(yaml: yaml)
        var changes: [(time: Double, step: Int64, samples: Int64)] = []
        var evaluations: [(time: Double, step: Int64, accuracy: Double, loss: Double)] = []
        var lastEval: (Double, Double)?
        var firstStep: (time: Double, cpu: (all: Double, psd: Double))?
        var cancelledAt: Double?
        var peakMiB = 0.0
        var exited: [String] = []
        var polls = 0
        var job = submitted
        while true {
            job = try await client.job(submitted.id)
            let now = Date().timeIntervalSince1970
            polls += 1
            if polls % 4 == 1 { peakMiB = max(peakMiB, cluster.residentMiB()) }
            if job.step > 0, firstStep == nil { firstStep = (now, cluster.cpuSeconds()) }
            if job.step != changes.last?.step || job.samples != changes.last?.samples, job.step > 0 {
                changes.append((now, job.step, job.samples))
            }
            if job.hasEvalMetrics, job.evalMetrics.hasAccuracy {
                let seen = (job.evalMetrics.accuracy, job.evalMetrics.loss)
                if lastEval.map({ $0 != seen }) ?? true {
                    evaluations.append((now, job.step, seen.0, seen.1))
                    lastEval = seen
                }
            }
            if [.succeeded, .failed, .cancelled].contains(job.state) { break }
            // A crashed process is recorded and the job goes on (the coordinator handles the loss as in production);
            // the poll itself fails when the coordinator psd is gone.
            for name in cluster.exitedProcesses where !exited.contains(where: { $0.hasPrefix(name) }) {
                exited.append(name + String(format: " at %.0f s", firstStep.map { now - $0.time } ?? 0))
                FileHandle.standardError.write(Data("    \(name) exited during job \(job.id); logs in \(cluster.dir.path)/logs\n".utf8))
            }
            if cancelledAt == nil {
                let overTime = firstStep.map { now - $0.time >= limit } ?? (job.startedAt > 0 && now - job.startedAt >= startupLimit)
                if overTime {
                    _ = try await client.cancel(submitted.id)
                    cancelledAt = now
                }
            } else if let cancelledAt, now - cancelledAt > 120 {
                throw BenchFailure("job \(job.id) did not end within 120 s of its cancel")
            }
            try await Task.sleep(for: interval)
        }
        let end = cancelledAt ?? changes.last?.time ?? Date().timeIntervalSince1970
        let cpuEnd = cluster.cpuSeconds()
        job = try await client.job(submitted.id, withHistory: true)
        if job.state == .failed { throw BenchFailure("job \(job.id) failed: \(job.reason)") }
        guard let firstStep else { throw BenchFailure("job \(job.id) applied no step (\(job.state), \(job.reason))") }

        // Where the metric history still holds an evaluation, its exact time and step replace the polled ones.
        let history = job.history.filter { $0.kind == "eval" && $0.metrics.hasAccuracy }
        let exact: [Evaluation] = evaluations.map { seen in
            if let point = history.first(where: { $0.metrics.accuracy == seen.accuracy && $0.metrics.loss == seen.loss }) {
                return Evaluation(seconds: point.time - firstStep.time, step: point.step, accuracy: seen.accuracy, loss: seen.loss)
            }
            return Evaluation(seconds: seen.time - firstStep.time, step: seen.step, accuracy: seen.accuracy, loss: seen.loss)
        }
        let window = max(end - firstStep.time, 1e-9)
        let wallToEnd = Date().timeIntervalSince1970 - firstStep.time
        return ScaleWorkersRun(
            job: job, startupSeconds: job.startedAt > 0 ? firstStep.time - job.startedAt : .nan, trainingSeconds: window,
            stepsPerSecond: rate(changes.map { ($0.time, $0.step) }), samplesPerSecond: rate(changes.map { ($0.time, $0.samples) }),
            evaluations: exact, cancelled: cancelledAt != nil,
            clusterCores: (cpuEnd.all - firstStep.cpu.all) / max(wallToEnd, 1e-9), psdCores: (cpuEnd.psd - firstStep.cpu.psd) / max(wallToEnd, 1e-9),
            peakResidentMiB: peakMiB, exited: exited)
    }

    /// Rate of a counter between the first and the last poll at which it changed.
    private static func rate(_ points: [(time: Double, value: Int64)]) -> Double {
        var kept: [(time: Double, value: Int64)] = []
        for point in points where point.value != kept.last?.value { kept.append(point) }
        guard let first = kept.first, let last = kept.last, last.time > first.time else { return .nan }
        return Double(last.value - first.value) / (last.time - first.time)
    }
}
