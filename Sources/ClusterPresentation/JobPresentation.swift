import ClusterAPI
import ClusterRuntime
import Foundation

/// Shapes jobs and nodes into table rows and short texts (the `--json` shapes are the `*Summary` types).
public enum JobPresentation {
    /// The latest evaluation, falling back to training figures.
    public static func latestMetrics(_ job: Tessera_V1_Job) -> Tessera_V1_Metrics? {
        if job.hasEvalMetrics { return job.evalMetrics }
        if job.hasTrainMetrics { return job.trainMetrics }
        return nil
    }

    /// One row per job for `clusterctl jobs`.
    public static func jobsTable(_ jobs: [Tessera_V1_Job]) -> TableRenderer {
        TableRenderer(header: jobsHeader(wide: false), rows: jobs.map { jobRow($0, wide: false) })
    }

    /// Node rows for `clusterctl nodes`.
    public static func nodesTable(_ nodes: [Tessera_V1_Node]) -> TableRenderer {
        // MODELS (registered model types) only when some worker advertises any.
        let withModels = nodes.contains { !$0.info.models.isEmpty }
        // SERVING (prediction address and served jobs) only when some worker serves.
        let withServing = nodes.contains { !$0.info.servingAddress.isEmpty }
        return TableRenderer(
            header: ["ID", "NAME", "ROLE", "STATE", "ADDRESS", "LAST SEEN", "JOB"] + (withModels ? ["MODELS"] : []) + (withServing ? ["SERVING"] : []),
            rows: nodes.map { node in
                [
                    String(node.id), node.info.name, roleName(node.info.role), nodeStateName(node.state),
                    node.info.address.isEmpty ? "-" : node.info.address,
                    String(format: "%.1fs ago", node.secondsSinceHeartbeat),
                    node.currentJob.isEmpty ? "-" : node.currentJob,
                ] + (withModels ? [node.info.models.isEmpty ? "-" : node.info.models.joined(separator: ",")] : [])
                    + (withServing ? [servingText(node)] : [])
            })
    }

    /// "host:port (job-3,job-5)" for a serving worker, "-" otherwise.
    static func servingText(_ node: Tessera_V1_Node) -> String {
        guard !node.info.servingAddress.isEmpty else { return "-" }
        return node.info.servingAddress + (node.serving.isEmpty ? "" : " (\(node.serving.joined(separator: ",")))")
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

    /// `Int(x)` (toward zero) held at Int's bounds, and 0 for NaN: figures from the coordinator never trap.
    public static func truncated(_ x: Double) -> Int {
        if x.isNaN { return 0 }
        if x >= 0x1p63 { return .max }
        if x <= -0x1p63 { return .min }
        return Int(x)
    }

    /// "5s", "3m", "2h".
    public static func ageText(since time: Double) -> String {
        guard time > 0 else { return "-" }
        let seconds = max(0, Date().timeIntervalSince1970 - time)
        if seconds < 120 { return "\(Int(seconds))s" }
        if seconds < 7200 { return "\(Int(seconds / 60))m" }
        return "\(Int(seconds / 3600))h"
    }
}
