import ClusterAPI
import ClusterPresentation
import ClusterRuntime
import Foundation

/// `jobs --watch`: lists once, then polls every second and prints each job whose row changed, until interrupted.
struct JobsWatcher {
    let client: CoordinatorClient
    let limit: Int32
    let state: String
    let output: OutputOptions

    /// Consecutive failed polls (about a second apart) before giving up on an unreachable coordinator.
    static let maxFailures = 30

    /// Column widths of the first table at least, so rows of jobs submitted later line up with an empty list's
    /// header (ID, NAME, STATE, STEP, LOSS, ACCURACY, AGE, then the wide columns).
    static let minimumWidths = [7, 16, 10, 9, 8, 8, 4, 5, 8, 7, 7, 8, 10, 0]

    func run() async throws {
        let wide = output.format == .wide
        var changes = JobListChanges(wide: wide)
        var widths: [Int]?
        var failures = 0
        while true {
            let jobs: [Tessera_V1_Job]
            do {
                jobs = try await client.jobPage(limit: limit, state: state).jobs
                failures = 0
            } catch let failure as RuntimeFailure where failure.code == .unavailable || failure.code == .deadlineExceeded {
                failures += 1
                if failures > Self.maxFailures { throw failure }
                try await Task.sleep(for: .seconds(1))
                continue
            }
            let changed = changes.update(jobs)
            switch output.format {
            case .table, .wide:
                if let widths {
                    for job in changed { print(TableRenderer.line(JobPresentation.jobRow(job, wide: wide), widths: widths)) }
                } else {
                    // The first list, newest first as `jobs` prints it; its widths align the later rows.
                    let table = TableRenderer(header: JobPresentation.jobsHeader(wide: wide), rows: jobs.map { JobPresentation.jobRow($0, wide: wide) })
                    print(table.render())
                    widths = zip(table.columnWidths, Self.minimumWidths).map { max($0, $1) }
                }
            case .json:
                for job in changed { print(JSONText.renderLine(JobSummary(job))) }
            case .yaml:
                for job in changed { print("---\n" + YAMLText.render(JobSummary(job))) }
            case .name:
                for job in changed { print(job.id) }
            }
            fflush(nil)
            try await Task.sleep(for: .seconds(1))
        }
    }
}
