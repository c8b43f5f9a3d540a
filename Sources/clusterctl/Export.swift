import ArgumentParser
import ClusterPresentation
import ClusterRuntime

/// `clusterctl export JOB --out model.safetensors`.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a job's trained variables to a safetensors file (loadable with Python's safetensors and numpy).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    @Option(name: .long, help: "Output file.")
    var out: String

    func run() async throws {
        try await global.withClient { client in
            let job = try await client.job(job)
            let variables = try await ModelExporter.export(job: job, to: out, security: try global.security())
            global.show(ExportSummary(file: out, job: job.id, variables: variables)) { "wrote \(variables.count) variables of \(job.id) to \(out)" }
        }
    }
}
