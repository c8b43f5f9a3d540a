import ArgumentParser
import ClusterPresentation
import ClusterRuntime
import Foundation

/// `clusterctl submit FILE.yaml [--follow]`.
struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit a job spec (YAML).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The job spec file (see docs/job-spec.md).")
    var file: String

    @Flag(name: .long, help: "Show progress until the job ends; exit code 0 only if it succeeded.")
    var follow = false

    func run() async throws {
        try await global.withClient { client in
            guard let data = FileManager.default.contents(atPath: file), let yaml = String(data: data, encoding: .utf8) else {
                throw RuntimeFailure(.invalidArgument, "cannot read job spec \(file)")
            }
            let job = try await client.submit(yaml: yaml)
            if follow {
                if !global.json { print("submitted \(job.id) (\(job.name))") }
                try throwUnlessSucceeded(try await JobFollower(client: client, jobID: job.id, json: global.json).follow())
            } else {
                global.show(JobSummary(job)) { "submitted \(job.id) (\(job.name))" }
            }
        }
    }
}
