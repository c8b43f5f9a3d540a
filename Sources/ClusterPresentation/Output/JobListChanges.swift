import ClusterAPI
import ClusterRuntime

/// What `jobs --watch` prints after the first list: the jobs whose shown row changed since the last poll (new jobs
/// included), oldest first. AGE is left out of the comparison, so an idle job prints nothing.
public struct JobListChanges: Sendable {
    /// Jobs followed at most; beyond it the oldest seen are forgotten (a job seen again then prints once more).
    public static let maxTracked = 10_000

    private var rows: [String: [String]] = [:]
    private var order: [String] = []
    private let wide: Bool

    /// A tracker of rows in the `jobs` table (`wide` for `-o wide`).
    public init(wide: Bool) { self.wide = wide }

    /// Records `jobs` (a page, newest first) and returns those whose row differs from the last time they were seen.
    public mutating func update(_ jobs: [Tessera_V1_Job]) -> [Tessera_V1_Job] {
        var changed: [Tessera_V1_Job] = []
        for job in jobs.reversed() {
            var row = JobPresentation.jobRow(job, wide: wide)
            row.remove(at: 6)  // AGE
            guard rows[job.id] != row else { continue }
            if rows[job.id] == nil { order.append(job.id) }
            rows[job.id] = row
            changed.append(job)
        }
        if order.count > Self.maxTracked {
            let forgotten = order.count - Self.maxTracked
            for id in order.prefix(forgotten) { rows[id] = nil }
            order.removeFirst(forgotten)
        }
        return changed
    }
}
