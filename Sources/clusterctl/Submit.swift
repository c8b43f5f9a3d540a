import ArgumentParser
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
        try await runReporting {
            guard let data = FileManager.default.contents(atPath: file), let yaml = String(data: data, encoding: .utf8) else {
                throw RuntimeFailure(.invalidArgument, "cannot read job spec \(file)")
            }
            let client = try global.client()
            defer { client.close() }
            let job = try await client.submit(yaml: yaml)
            if !follow {
                if global.json {
                    print(JobPresentation.json(JobPresentation.jobObject(job)))
                } else {
                    print("submitted \(job.id) (\(job.name))")
                }
                return
            }
            if !global.json { print("submitted \(job.id) (\(job.name))") }
            let final = try await JobFollower(client: client, jobID: job.id, json: global.json).follow()
            switch final.state {
            case .succeeded: return
            case .cancelled: throw ExitCode(2)
            default: throw ExitCode(1)
            }
        }
    }
}
