import ClusterAPI
import ClusterRuntime
import Foundation

/// Per-node health for `clusterctl status`: the coordinator's view (state, heartbeat age) beside
/// what each psd's own health service answered.
public enum StatusPresentation {
    /// The health of one node in a word or a sentence: the probe's answer for a psd, the
    /// heartbeat state for a worker (workers serve no gRPC).
    public static func health(_ node: Tessera_V1_Node, probe: HealthProbe.Result?) -> String {
        if let probe { return probe.description }
        return node.info.role == .worker ? "heartbeat \(JobPresentation.nodeStateName(node.state))" : "-"
    }

    /// Rows NAME, ROLE, ADDRESS, STATE, LAST SEEN, HEALTH.
    public static func table(_ nodes: [Tessera_V1_Node], probes: [UInt64: HealthProbe.Result]) -> TableRenderer {
        TableRenderer(
            header: ["NAME", "ROLE", "ADDRESS", "STATE", "LAST SEEN", "HEALTH"],
            rows: nodes.map { node in
                [
                    node.info.name, JobPresentation.roleName(node.info.role), node.info.address.isEmpty ? "-" : node.info.address,
                    JobPresentation.nodeStateName(node.state), String(format: "%.1fs ago", node.secondsSinceHeartbeat),
                    health(node, probe: probes[node.id]),
                ]
            })
    }

    /// Rows of `table` then DATA ADDRESS, VERSION, JOB (`status -o wide`).
    public static func wideTable(_ nodes: [Tessera_V1_Node], probes: [UInt64: HealthProbe.Result]) -> TableRenderer {
        var table = table(nodes, probes: probes)
        table.header += ["DATA ADDRESS", "VERSION", "JOB"]
        for (i, node) in nodes.enumerated() {
            table.rows[i] += [
                node.info.dataAddress.isEmpty ? "-" : node.info.dataAddress, node.info.version.isEmpty ? "-" : node.info.version,
                node.currentJob.isEmpty ? "-" : node.currentJob,
            ]
        }
        return table
    }

    /// The `clusterctl status` page: coordinator, health, node and job counts, then the node table (`wide`: its
    /// wide form).
    public static func page(_ s: Tessera_V1_ClusterStatusResponse, probes: [UInt64: HealthProbe.Result], wide: Bool = false) -> String {
        let ps = s.nodes.filter { $0.info.role == .ps }
        let workers = s.nodes.filter { $0.info.role == .worker }
        let unhealthy = unhealthy(s.nodes, probes: probes)
        var lines = [
            "coordinator  \(s.coordinatorName) at \(s.coordinatorAddress)  (tessera \(s.version), up \(JobPresentation.truncated(s.uptimeSeconds))s)",
            "health       \(s.health)\(unhealthy.isEmpty ? "" : "; \(unhealthy.count) node(s) need attention: \(unhealthy.map(\.info.name).joined(separator: ", "))")",
            "ps shards    \(ps.filter { $0.state == .alive }.count) alive of \(ps.count)",
            "workers      \(workers.filter { $0.state == .alive }.count) alive of \(workers.count)",
            "jobs         \(s.jobsRunning) running, \(s.jobsPending) pending, \(s.jobsSucceeded) succeeded, \(s.jobsFailed) failed, \(s.jobsCancelled) cancelled",
        ]
        if !s.nodes.isEmpty {
            lines += ["", (wide ? wideTable(s.nodes, probes: probes) : table(s.nodes, probes: probes)).render()]
        }
        return lines.joined(separator: "\n")
    }

    /// Nodes that are not alive or whose health service did not answer SERVING.
    public static func unhealthy(_ nodes: [Tessera_V1_Node], probes: [UInt64: HealthProbe.Result]) -> [Tessera_V1_Node] {
        nodes.filter { node in node.state != .alive || (probes[node.id].map { $0 != .serving } ?? false) }
    }
}
