import ClusterAPI
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

    /// `JobPresentation.statusObject` with each node's `health` and an overall `unhealthy` count.
    public static func object(_ s: Tessera_V1_ClusterStatusResponse, probes: [UInt64: HealthProbe.Result]) -> [String: Any] {
        var object = JobPresentation.statusObject(s)
        object["nodes"] = s.nodes.map { node -> [String: Any] in
            var o = JobPresentation.nodeObject(node)
            o["health"] = health(node, probe: probes[node.id])
            return o
        }
        object["unhealthy_nodes"] = unhealthy(s.nodes, probes: probes).count
        return object
    }

    /// Nodes that are not alive or whose health service did not answer SERVING.
    public static func unhealthy(_ nodes: [Tessera_V1_Node], probes: [UInt64: HealthProbe.Result]) -> [Tessera_V1_Node] {
        nodes.filter { node in node.state != .alive || (probes[node.id].map { $0 != .serving } ?? false) }
    }
}
