import ClusterAPI
import ClusterRuntime
import Foundation

extension JobPresentation {
    /// The columns of `clusterctl jobs` (`wide` adds MODE, MODEL, WORKERS, STEPS/S, SAMPLES, CHECKPOINT, REASON).
    public static func jobsHeader(wide: Bool) -> [String] {
        ["ID", "NAME", "STATE", "STEP", "LOSS", "ACCURACY", "AGE"]
            + (wide ? ["MODE", "MODEL", "WORKERS", "STEPS/S", "SAMPLES", "CHECKPOINT", "REASON"] : [])
    }

    /// One job's row under `jobsHeader(wide:)`.
    public static func jobRow(_ job: Tessera_V1_Job, wide: Bool) -> [String] {
        let m = latestMetrics(job)
        var row = [
            job.id, job.name, job.state.displayName, stepText(job),
            m.map { format($0.loss) } ?? "-", m.flatMap { $0.hasAccuracy ? format($0.accuracy) : nil } ?? "-",
            ageText(since: job.createdAt),
        ]
        if wide {
            row += [
                job.spec.training.mode.isEmpty ? "-" : job.spec.training.mode,
                job.spec.model.type.isEmpty ? "-" : job.spec.model.type,
                String(job.workers.count),
                job.stepsPerSecond > 0 && job.stepsPerSecond.isFinite ? String(format: "%.1f", job.stepsPerSecond) : "-",
                String(job.samples),
                job.hasCheckpoint ? "step \(job.checkpoint.version)" : "-",
                job.reason.isEmpty ? "-" : job.reason,
            ]
        }
        return row
    }

    /// `clusterctl jobs -o wide`.
    public static func jobsWideTable(_ jobs: [Tessera_V1_Job]) -> TableRenderer {
        TableRenderer(header: jobsHeader(wide: true), rows: jobs.map { jobRow($0, wide: true) })
    }

    /// `clusterctl nodes -o wide`: every column of `nodesTable` with MODELS always, then DATA ADDRESS, DEVICE,
    /// THREADS, VERSION, MEMORY (reserved of offered) and SERVING.
    public static func nodesWideTable(_ nodes: [Tessera_V1_Node]) -> TableRenderer {
        TableRenderer(
            header: ["ID", "NAME", "ROLE", "STATE", "ADDRESS", "LAST SEEN", "JOB", "MODELS", "DATA ADDRESS", "DEVICE", "THREADS", "VERSION", "MEMORY", "SERVING"],
            rows: nodes.map { node in
                [
                    String(node.id), node.info.name, roleName(node.info.role), nodeStateName(node.state),
                    node.info.address.isEmpty ? "-" : node.info.address,
                    String(format: "%.1fs ago", node.secondsSinceHeartbeat),
                    node.currentJob.isEmpty ? "-" : node.currentJob,
                    node.info.models.isEmpty ? "-" : node.info.models.joined(separator: ","),
                    node.info.dataAddress.isEmpty ? "-" : node.info.dataAddress,
                    node.info.device.isEmpty ? "-" : node.info.device,
                    node.info.threads > 0 ? String(node.info.threads) : "-",
                    node.info.version.isEmpty ? "-" : node.info.version,
                    memoryText(reserved: node.memoryReservedBytes, limit: node.info.memoryLimitBytes),
                    servingText(node),
                ]
            })
    }

    /// "12.0 MiB of 4.0 GiB", "12.0 MiB" when nothing is offered, "-" for neither.
    public static func memoryText(reserved: Int64, limit: Int64) -> String {
        if limit <= 0 { return reserved > 0 ? bytesText(reserved) : "-" }
        return "\(bytesText(max(0, reserved))) of \(bytesText(limit))"
    }

    /// Bytes in binary units with one decimal ("512 B", "1.5 KiB", "3.0 GiB").
    public static func bytesText(_ bytes: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.1f", value) + " " + units[unit]
    }

    /// The metric history of `describe -o wide`: STEP, KIND, LOSS, ACCURACY, AUC, EXAMPLES.
    public static func historyTable(_ job: Tessera_V1_Job) -> TableRenderer {
        TableRenderer(
            header: ["STEP", "KIND", "LOSS", "ACCURACY", "AUC", "EXAMPLES"],
            rows: job.history.map { point in
                let m = point.metrics
                return [
                    String(point.step), point.kind, format(m.loss), m.hasAccuracy ? format(m.accuracy) : "-",
                    m.hasAuc ? format(m.auc) : "-", String(m.count),
                ]
            })
    }
}
