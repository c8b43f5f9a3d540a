import ArgumentParser
import ClusterPresentation

/// `clusterctl cancel JOB`.
struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a job: its workers stop and its shards free the memory.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    func run() async throws {
        try await global.withClient { client in
            let job = try await client.cancel(job)
            global.show(JobSummary(job)) { "\(job.id) \(job.state.displayName)" }
        }
    }
}
