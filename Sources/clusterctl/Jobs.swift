import ArgumentParser
import ClusterRuntime

/// `clusterctl jobs`.
struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let client = try global.client()
            defer { client.close() }
            let jobs = try await client.jobs()
            if global.json {
                print(JobPresentation.json(jobs.map(JobPresentation.jobObject)))
            } else {
                print(JobPresentation.jobsTable(jobs).render())
            }
        }
    }
}
