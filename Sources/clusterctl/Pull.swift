import ArgumentParser
import ClusterPresentation
import ClusterRuntime

/// `clusterctl pull JOB [VARIABLE]`: read current variable values from the shards.
struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a job's current variable values, read from its shards.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    @Argument(help: "Only this variable (e.g. dense_0/kernel).")
    var variable: String?

    @Option(name: .long, help: "Print at most this many values per variable in the table.")
    var limit = 8

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must be ≥ 0, got \(limit)") }
    }

    func run() async throws {
        try await global.withClient { client in
            let job = try await client.job(job)
            let security = try global.security()
            var variables = try await VariableReader.read(job: job, token: security.token, tls: security.tls)
            if let variable {
                variables = variables.filter { $0.name == variable }
                guard !variables.isEmpty else { throw RuntimeFailure(.notFound, "\(job.id) has no variable named \(variable)") }
            }
            global.show(variables.map(VariableValues.init)) { VariablePresentation.table(variables, limit: limit).render() }
        }
    }
}
