import Coordinator
import Foundation
import Metrics

/// Gauges read from the coordinator's state at scrape time: heartbeat age per node, nodes per
/// state, and samples/s per running job (sum over its workers of steps/s × batch size).
enum CoordinatorMetrics {
    /// The refresh closure for a metrics endpoint: updates the gauges from `coordinator` (nothing on a plain shard).
    static func refresher(_ coordinator: CoordinatorService?) -> @Sendable () async -> Void {
        guard let coordinator else { return {} }
        return { refresh(coordinator) }
    }

    static func refresh(_ coordinator: CoordinatorService) {
        guard let (nodes, jobs) = try? coordinator.readState({ ($0.nodes(), $0.jobs()) }) else { return }
        let factory = TesseraMetrics.factory
        let now = Date().timeIntervalSince1970
        for node in nodes {
            Gauge(label: TesseraMetrics.Name.heartbeatAgeSeconds, dimensions: [("node", node.info.name)], factory: factory)
                .record(max(0, now - node.lastSeen))
        }
        for state in NodeState.allCases {
            Gauge(label: TesseraMetrics.Name.nodes, dimensions: [("state", state.rawValue)], factory: factory)
                .record(nodes.filter { $0.state == state }.count)
        }
        for job in jobs {
            let rate: Double =
                job.state == .running
                ? job.workers.compactMap { $0.progress?.stepsPerSecond }.reduce(0, +) * Double(job.spec.data.batchSize)
                : 0
            Gauge(label: TesseraMetrics.Name.samplesPerSecond, dimensions: [("job", job.id.description)], factory: factory)
                .record(rate)
        }
    }
}
