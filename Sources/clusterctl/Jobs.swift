import ArgumentParser
import ClusterPresentation

/// `clusterctl jobs [--limit N] [--state S]`.
struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List jobs, newest first.",
        discussion: "Shows the coordinator's default page (100 jobs) unless --limit says otherwise (at most 1000 per call).")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Show at most this many jobs (default: the coordinator's page of 100; at most 1000).")
    var limit: Int32 = 0

    @Option(name: .long, help: "Only jobs in this state: pending, running, recovering, succeeded, failed or cancelled.")
    var state: String = ""

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must be ≥ 0, got \(limit)") }
    }

    func run() async throws {
        try await global.withClient { client in
            let page = try await client.jobPage(limit: limit, state: state)
            global.show(page.jobs.map(JobSummary.init)) {
                let table = JobPresentation.jobsTable(page.jobs).render()
                guard Int(page.total) > page.jobs.count else { return table }
                return table + "\n(\(page.jobs.count) of \(page.total) jobs; --limit N shows more, --state S filters)"
            }
        }
    }
}
