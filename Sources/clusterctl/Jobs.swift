import ArgumentParser
import ClusterPresentation

/// `clusterctl jobs [--limit N] [--state S] [--watch]`.
struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List jobs, newest first.",
        discussion: """
            Shows the coordinator's default page (100 jobs) unless --limit says otherwise (at most 1000 per call). \
            --watch prints the list, then one line per job whose row changed (polling every second) until Ctrl-C: \
            a table row, a JSON object per line with -o json, a YAML document with -o yaml, an id with -o name.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Show at most this many jobs (default: the coordinator's page of 100; at most 1000).")
    var limit: Int32 = 0

    @Option(name: .long, help: "Only jobs in this state: pending, running, recovering, succeeded, failed or cancelled.")
    var state: String = ""

    @Flag(name: [.customShort("w"), .long], help: "After the list, print each change until interrupted (Ctrl-C).")
    var watch = false

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must be ≥ 0, got \(limit)") }
    }

    func run() async throws {
        try await global.withClient { client in
            if watch {
                try await JobsWatcher(client: client, limit: limit, state: state, output: global.output).run()
                return
            }
            let page = try await client.jobPage(limit: limit, state: state)
            func withHint(_ table: String) -> String {
                guard Int(page.total) > page.jobs.count else { return table }
                return table + "\n(\(page.jobs.count) of \(page.total) jobs; --limit N shows more, --state S filters)"
            }
            global.show(page.jobs.map(JobSummary.init), wide: { withHint(JobPresentation.jobsWideTable(page.jobs).render()) }) {
                withHint(JobPresentation.jobsTable(page.jobs).render())
            }
        }
    }
}
