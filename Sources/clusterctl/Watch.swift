import ArgumentParser

/// `clusterctl watch JOB`: live progress until the job ends; the exit code tells how it ended.
struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a job's progress live until it ends.",
        discussion: """
            Redraws one line in place on a terminal (plain lines when piped). Exit code: 0 when the \
            job SUCCEEDED, 1 when it FAILED, 2 when it was CANCELLED.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    func run() async throws {
        try await global.withClient { client in
            try throwUnlessSucceeded(try await JobFollower(client: client, jobID: job, output: global.output).follow())
        }
    }
}
