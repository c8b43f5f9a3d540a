import Coordinator
import Foundation
import Metrics

/// Gauges read from the coordinator's state at scrape time: heartbeat age per node, nodes per state, and samples/s
/// per job (sum over its workers of steps/s × batch size while it runs, 0 once it ended). A scrape costs O(nodes +
/// active jobs): ended jobs keep the 0 they were given when they left the active set, and a deleted job's gauge is
/// removed (`forget`).
enum CoordinatorMetrics {
    /// The refresh closure for a metrics endpoint: updates the gauges from `coordinator` (nothing on a plain shard).
    static func refresher(_ coordinator: CoordinatorService?) -> @Sendable () async -> Void {
        guard let coordinator else { return {} }
        let shown = LockedValue<Set<JobID>>([])
        return { refresh(coordinator, shown: shown) }
    }

    /// Updates the gauges; `shown` holds the jobs that were active at the previous scrape.
    static func refresh(_ coordinator: CoordinatorService, shown: LockedValue<Set<JobID>>) {
        let previous = shown.value
        let (nodes, active, known) = coordinator.machine.peek { state in
            (state.nodes(), state.activeJobs(), previous.filter { state.job($0) != nil })
        }
        let factory = TesseraMetrics.factory
        let now = Date().timeIntervalSince1970
        var byState: [NodeState: Int] = [:]
        for node in nodes {
            Gauge(label: TesseraMetrics.Name.heartbeatAgeSeconds, dimensions: [("node", node.info.name)], factory: factory)
                .record(max(0, now - node.lastSeen))
            byState[node.state, default: 0] += 1
        }
        for state in NodeState.allCases {
            Gauge(label: TesseraMetrics.Name.nodes, dimensions: [("state", state.rawValue)], factory: factory).record(byState[state] ?? 0)
        }
        for job in active {
            samplesPerSecond(job.id).record(job.samplesPerSecond)
        }
        let activeIDs = Set(active.map(\.id))
        for id in previous.subtracting(activeIDs) {
            if known.contains(id) { samplesPerSecond(id).record(0) } else { samplesPerSecond(id).destroy() }
        }
        shown.value = activeIDs
    }

    /// Removes a deleted job's gauge.
    static func forget(_ id: JobID) {
        samplesPerSecond(id).destroy()
    }

    private static func samplesPerSecond(_ id: JobID) -> Gauge {
        Gauge(label: TesseraMetrics.Name.samplesPerSecond, dimensions: [("job", id.description)], factory: TesseraMetrics.factory)
    }
}
