import ArgumentParser
import ClusterPresentation

/// `clusterctl serve JOB [--replicas N] [--refresh-ms MS]`.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a job's model while it trains (and after it succeeds) from replicas on workers started with --serve-listen.",
        discussion: """
            Each replica answers TensorFlow Serving's REST API at http://WORKER/v1/models/<job-name>:predict and refreshes \
            its parameters from the job's shards at most every --refresh-ms. `clusterctl describe JOB` lists the replicas \
            with their URL, served step and its age; `clusterctl predict JOB FILE` sends a request to one.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    @Option(help: "Replicas to run (1–64).")
    var replicas: Int32 = 1

    @Option(help: "Least milliseconds between two parameter pulls of a replica (10–86400000; default: the job's, else 1000).")
    var refreshMs: Int32?

    func validate() throws {
        guard (1...64).contains(replicas) else { throw ValidationError("--replicas must be between 1 and 64, got \(replicas) (clusterctl unserve stops serving)") }
        if let refreshMs, !(10...86_400_000).contains(refreshMs) {
            throw ValidationError("--refresh-ms must be between 10 and 86400000, got \(refreshMs)")
        }
    }

    func run() async throws {
        try await global.withClient { client in
            let job = try await client.serve(job, replicas: replicas, refreshMs: refreshMs)
            global.show(JobSummary(job)) { "\(job.id) served by \(job.servingReplicas) replica(s), refreshed every \(job.servingRefreshMs) ms" }
        }
    }
}

/// `clusterctl unserve JOB`.
struct Unserve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop serving a job's model: its replicas stop answering.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    func run() async throws {
        try await global.withClient { client in
            let job = try await client.serve(job, replicas: 0)
            global.show(JobSummary(job)) { "\(job.id) no longer served" }
        }
    }
}
