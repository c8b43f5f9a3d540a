import ClusterAPI
import ClusterRuntime
import Foundation

/// The human-readable `clusterctl describe JOB` page.
public enum JobDescription {
    /// Renders a job as labelled lines followed by its placement and workers tables (`wide`: then its metric history).
    public static func render(_ job: Tessera_V1_Job, wide: Bool = false) -> String {
        var lines: [String] = []
        func field(_ name: String, _ value: String) { lines.append(name.padding(toLength: 20, withPad: " ", startingAt: 0) + value) }
        field("ID", job.id)
        field("Name", job.name)
        field("State", job.state.displayName + (job.reason.isEmpty ? "" : " (\(job.reason))"))
        field("Step", JobPresentation.stepText(job))
        field("Mode", job.spec.training.mode + (job.spec.training.mode == "sync" ? " (effective N = \(job.effectiveReplicas))" : ""))
        field("Model", job.spec.model.type + (job.spec.model.hidden.isEmpty ? "" : " \(job.spec.model.hidden.map(String.init))"))
        field("Optimizer", "\(job.spec.optimizer.type) lr=\(job.spec.optimizer.learningRate)")
        if job.stepsPerSecond > 0 { field("Speed", String(format: "%.1f steps/s", job.stepsPerSecond)) }
        if job.hasTrainMetrics {
            field("Train", JobPresentation.metricsText(job.trainMetrics))
        }
        if job.hasEvalMetrics {
            var text = JobPresentation.metricsText(job.evalMetrics)
            if job.evalMetrics.hasAuc { text += String(format: "  auc %.4f", job.evalMetrics.auc) }
            let streamed = job.spec.data.hasStream
            field("Held-out", text + "  (\(job.evalMetrics.count) examples\(streamed ? ": the stream's newest" : ""))")
        }
        if job.spec.data.hasStream {
            let stream = job.spec.data.stream
            field("Stream", "\(stream.dir)/\(stream.hasPattern ? stream.pattern : "*") (files in name order as they appear)")
        }
        field("Stale dropped", String(job.staleDropped))
        if !job.tensorboardDir.isEmpty { field("TensorBoard", job.tensorboardDir) }
        if job.hasCheckpoint { field("Checkpoint", "step \(job.checkpoint.version) (\(job.checkpoint.manifest))") }
        lines.append("")
        lines.append("Placement:")
        var embeddingParts: [String: Int] = [:]
        for p in job.placement where p.kind == "embedding" { embeddingParts[p.variable, default: 0] += 1 }
        let placement = TableRenderer(
            header: ["VARIABLE", "PARTITION", "SHAPE", "ROWS", "SHARD", "BYTES"],
            rows: job.placement.map {
                [
                    $0.variable, String($0.partition), "[" + $0.shape.map(String.init).joined(separator: ", ") + "]",
                    // Embedding rows are hash-partitioned by key and created on first touch; bytes are the hint's estimate.
                    $0.kind == "embedding" ? "hash(key) % \(embeddingParts[$0.variable, default: 1]) = \($0.partition)" : "\($0.rowOffset)..<\(JobSummary.sum($0.rowOffset, $0.rowCount))",
                    "\($0.shardName) (\($0.shardAddress))", $0.kind == "embedding" ? "~\($0.bytes)" : String($0.bytes),
                ]
            })
        lines.append(contentsOf: placement.render().split(separator: "\n").map { "  " + $0 })
        var perShard: [String: Int64] = [:]
        for p in job.placement {
            let shard = "\(p.shardName) (\(p.shardAddress))"
            perShard[shard] = JobSummary.sum(perShard[shard, default: 0], p.bytes)
        }
        for (shard, bytes) in perShard.sorted(by: { $0.key < $1.key }) { lines.append("  bytes on \(shard): \(bytes)") }
        if job.servingReplicas > 0 {
            lines += ["", "Serving: \(job.servingReplicas) replica(s), refreshed every \(job.servingRefreshMs) ms"]
            let replicas = TableRenderer(
                header: ["NODE", "URL", "GRPC", "STEP", "AGE", "STATE"],
                rows: job.serving.map {
                    [
                        $0.node, $0.url.isEmpty ? "-" : $0.url, $0.grpcAddress.isEmpty ? "-" : $0.grpcAddress, String($0.version),
                        String(format: "%.1fs", $0.ageSeconds),
                        $0.state + ($0.problem.isEmpty ? "" : " (\($0.problem))"),
                    ]
                })
            lines.append(contentsOf: replicas.render().split(separator: "\n").map { "  " + $0 })
            if job.serving.isEmpty { lines.append("  none placed: no alive workerd with --serve-listen can build the model") }
        }
        lines.append("")
        lines.append("Workers:")
        let workers = TableRenderer(
            header: ["INDEX", "NODE", "STEP", "EPOCH", "FINISHED"],
            rows: job.workers.map { [String($0.index), $0.nodeName, String($0.step), String($0.epoch), $0.finished ? "yes" : "no"] })
        lines.append(contentsOf: workers.render().split(separator: "\n").map { "  " + $0 })
        if wide {
            lines += ["", "History:"]
            lines.append(contentsOf: JobPresentation.historyTable(job).render().split(separator: "\n").map { "  " + $0 })
        }
        return lines.joined(separator: "\n")
    }
}
