import ClusterAPI
import Foundation

/// Shapes jobs, nodes and status into JSON objects (the public `--json` contract) and table rows.
public enum JobPresentation {
    /// The state as users see it: PENDING, RUNNING, RECOVERING, SUCCEEDED, FAILED, CANCELLED.
    public static func stateName(_ state: Tessera_V1_JobState) -> String {
        switch state {
        case .pending: "PENDING"
        case .running: "RUNNING"
        case .succeeded: "SUCCEEDED"
        case .failed: "FAILED"
        case .cancelled: "CANCELLED"
        case .recovering: "RECOVERING"
        default: "UNKNOWN"
        }
    }

    /// Whether the job has ended.
    public static func isFinal(_ state: Tessera_V1_JobState) -> Bool {
        state == .succeeded || state == .failed || state == .cancelled
    }

    /// The latest evaluation, falling back to training figures.
    public static func latestMetrics(_ job: Tessera_V1_Job) -> Tessera_V1_Metrics? {
        if job.hasEvalMetrics { return job.evalMetrics }
        if job.hasTrainMetrics { return job.trainMetrics }
        return nil
    }

    static func metricsObject(_ m: Tessera_V1_Metrics?) -> [String: Any] {
        guard let m else { return ["loss": NSNull(), "accuracy": NSNull(), "auc": NSNull()] }
        return [
            "loss": m.loss, "accuracy": m.hasAccuracy ? m.accuracy as Any : NSNull(), "auc": m.hasAuc ? m.auc as Any : NSNull(), "count": m.count,
        ]
    }

    /// `describe --json`: id, name, state, step, metrics, stale_dropped, effective_replicas, placement, tensorboard_dir, checkpoint, …
    public static func jobObject(_ job: Tessera_V1_Job) -> [String: Any] {
        var shardBytes: [String: Int64] = [:]
        for p in job.placement { shardBytes[p.shardName, default: 0] += p.bytes }
        return [
            "id": job.id,
            "name": job.name,
            "state": stateName(job.state),
            "reason": job.reason,
            "step": job.step,
            "total_steps": job.totalSteps,
            "samples": job.samples,
            "steps_per_second": job.stepsPerSecond,
            "metrics": metricsObject(latestMetrics(job)),
            "train_metrics": job.hasTrainMetrics ? metricsObject(job.trainMetrics) : NSNull(),
            "eval_metrics": job.hasEvalMetrics ? metricsObject(job.evalMetrics) : NSNull(),
            "stale_dropped": job.staleDropped,
            "effective_replicas": job.effectiveReplicas,
            "placement": job.placement.map {
                [
                    "variable": $0.variable, "kind": $0.kind.isEmpty ? "dense" : $0.kind, "partition": $0.partition, "shard": $0.shardName,
                    "shard_address": $0.shardAddress, "bytes": $0.bytes, "shape": $0.shape,
                    "rows": [$0.rowOffset, $0.rowOffset + $0.rowCount],
                ] as [String: Any]
            },
            "bytes_per_shard": shardBytes,
            "workers": job.workers.map {
                ["index": $0.index, "node": $0.nodeName, "step": $0.step, "epoch": $0.epoch, "finished": $0.finished] as [String: Any]
            },
            "tensorboard_dir": job.tensorboardDir.isEmpty ? NSNull() : job.tensorboardDir as Any,
            "checkpoint": job.hasCheckpoint ? ["version": job.checkpoint.version, "manifest": job.checkpoint.manifest] as [String: Any] : NSNull(),
            "created_at": job.createdAt,
            "started_at": job.startedAt > 0 ? job.startedAt as Any : NSNull(),
            "finished_at": job.finishedAt > 0 ? job.finishedAt as Any : NSNull(),
            "history": job.history.map {
                ["step": $0.step, "time": $0.time, "kind": $0.kind, "metrics": metricsObject($0.metrics)] as [String: Any]
            },
        ]
    }

    /// One row per job for `clusterctl jobs`.
    public static func jobsTable(_ jobs: [Tessera_V1_Job]) -> TableRenderer {
        TableRenderer(
            header: ["ID", "NAME", "STATE", "STEP", "LOSS", "ACCURACY", "AGE"],
            rows: jobs.map { job in
                let m = latestMetrics(job)
                return [
                    job.id, job.name, stateName(job.state), stepText(job),
                    m.map { format($0.loss) } ?? "-", m.flatMap { $0.hasAccuracy ? format($0.accuracy) : nil } ?? "-",
                    ageText(since: job.createdAt),
                ]
            })
    }

    /// Node rows for `clusterctl nodes`.
    public static func nodesTable(_ nodes: [Tessera_V1_Node]) -> TableRenderer {
        // MODELS (registered model types) only when some worker advertises any.
        let withModels = nodes.contains { !$0.info.models.isEmpty }
        return TableRenderer(
            header: ["ID", "NAME", "ROLE", "STATE", "ADDRESS", "LAST SEEN", "JOB"] + (withModels ? ["MODELS"] : []),
            rows: nodes.map { node in
                [
                    String(node.id), node.info.name, roleName(node.info.role), nodeStateName(node.state),
                    node.info.address.isEmpty ? "-" : node.info.address,
                    String(format: "%.1fs ago", node.secondsSinceHeartbeat),
                    node.currentJob.isEmpty ? "-" : node.currentJob,
                ] + (withModels ? [node.info.models.isEmpty ? "-" : node.info.models.joined(separator: ",")] : [])
            })
    }

    /// JSON object of a node.
    public static func nodeObject(_ node: Tessera_V1_Node) -> [String: Any] {
        [
            "id": node.id, "name": node.info.name, "role": roleName(node.info.role), "state": nodeStateName(node.state),
            "address": node.info.address, "data_address": node.info.dataAddress, "device": node.info.device,
            "threads": node.info.threads, "version": node.info.version, "models": node.info.models,
            "seconds_since_heartbeat": node.secondsSinceHeartbeat, "current_job": node.currentJob,
            "memory_limit_bytes": node.info.memoryLimitBytes, "memory_reserved_bytes": node.memoryReservedBytes,
        ]
    }

    /// JSON object of the cluster status.
    public static func statusObject(_ s: Tessera_V1_ClusterStatusResponse) -> [String: Any] {
        [
            "coordinator": ["name": s.coordinatorName, "address": s.coordinatorAddress, "version": s.version, "uptime_seconds": s.uptimeSeconds],
            "health": s.health,
            "nodes": s.nodes.map(nodeObject),
            "jobs": [
                "pending": s.jobsPending, "running": s.jobsRunning, "succeeded": s.jobsSucceeded,
                "failed": s.jobsFailed, "cancelled": s.jobsCancelled,
            ],
        ]
    }

    /// "ps", "worker".
    public static func roleName(_ role: Tessera_V1_NodeRole) -> String {
        switch role {
        case .ps: "ps"
        case .worker: "worker"
        default: "unknown"
        }
    }

    /// "alive", "suspect", "dead".
    public static func nodeStateName(_ state: Tessera_V1_NodeState) -> String {
        switch state {
        case .alive: "alive"
        case .suspect: "suspect"
        case .dead: "dead"
        default: "unknown"
        }
    }

    /// "120/300" or "120".
    public static func stepText(_ job: Tessera_V1_Job) -> String {
        job.totalSteps > 0 ? "\(job.step)/\(job.totalSteps)" : "\(job.step)"
    }

    /// "loss 0.0913  accuracy 0.9883" (accuracy only when the task has one).
    public static func metricsText(_ m: Tessera_V1_Metrics) -> String {
        var text = "loss \(format(m.loss))"
        if m.hasAccuracy { text += "  accuracy \(format(m.accuracy))" }
        return text
    }

    /// A metric with four decimals.
    public static func format(_ value: Double) -> String { String(format: "%.4f", value) }

    /// "5s", "3m", "2h".
    public static func ageText(since time: Double) -> String {
        guard time > 0 else { return "-" }
        let seconds = max(0, Date().timeIntervalSince1970 - time)
        if seconds < 120 { return "\(Int(seconds))s" }
        if seconds < 7200 { return "\(Int(seconds / 60))m" }
        return "\(Int(seconds / 3600))h"
    }

    /// Replaces NaN and infinities (which JSON cannot carry) by null, recursively.
    static func finite(_ value: Any) -> Any {
        switch value {
        case let d as Double: d.isFinite ? d : NSNull()
        case let f as Float: f.isFinite ? Double(f) : NSNull()
        case let array as [Any]: array.map(finite)
        case let object as [String: Any]: object.mapValues(finite)
        default: value
        }
    }

    /// Pretty, key-sorted JSON text of an object.
    public static func json(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: finite(object), options: [.prettyPrinted, .sortedKeys]),
            let text = String(data: data, encoding: .utf8)
        else { return "{}" }
        return text
    }
}
