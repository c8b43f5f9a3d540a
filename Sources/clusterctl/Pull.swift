import ArgumentParser
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

    func run() async throws {
        try await runReporting {
            let client = try global.client()
            defer { client.close() }
            let job = try await client.job(job)
            let security = try global.security()
            var variables = try await VariableReader.read(job: job, token: security.token, tls: security.tls)
            if let variable {
                variables = variables.filter { $0.name == variable }
                guard !variables.isEmpty else { throw RuntimeFailure(.notFound, "\(job.id) has no variable named \(variable)") }
            }
            if global.json {
                print(JobPresentation.json(variables.map { ["name": $0.name, "shape": $0.shape.dims, "values": $0.values.map(Double.init)] as [String: Any] }))
                return
            }
            print(TableRenderer(header: ["VARIABLE", "SHAPE", "VALUES"], rows: variables.map { v in
                let shown = v.values.prefix(limit).map { String(format: "%.4f", $0) }.joined(separator: " ")
                return [v.name, v.shape.description, shown + (v.values.count > limit ? " …" : "")]
            }).render())
        }
    }
}
