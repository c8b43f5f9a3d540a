import ArgumentParser
import ClusterRuntime

/// `clusterctl cancel JOB`.
struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a job: its workers stop and its shards free the memory.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    func run() async throws {
        try await runReporting {
            let client = try global.client()
            defer { client.close() }
            let job = try await client.cancel(job)
            if global.json {
                print(JobPresentation.json(JobPresentation.jobObject(job)))
            } else {
                print("\(job.id) \(JobPresentation.stateName(job.state))")
            }
        }
    }
}
