import ArgumentParser
import ClusterRuntime

/// `clusterctl describe JOB`.
struct Describe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one job: state, metrics, placement, workers.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    func run() async throws {
        try await runReporting {
            let client = try global.client()
            defer { client.close() }
            let job = try await client.job(job, withHistory: global.json)
            if global.json {
                print(JobPresentation.json(JobPresentation.jobObject(job)))
            } else {
                print(JobDescription.render(job))
            }
        }
    }
}
