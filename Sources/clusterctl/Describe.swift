import ArgumentParser
import ClusterPresentation

/// `clusterctl describe JOB`.
struct Describe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one job: state, metrics, placement, workers.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    func run() async throws {
        try await global.withClient { client in
            let job = try await client.job(job, withHistory: global.format.isMachineReadable || global.format == .wide)
            global.show(JobSummary(job), wide: { JobDescription.render(job, wide: true) }) { JobDescription.render(job) }
        }
    }
}
