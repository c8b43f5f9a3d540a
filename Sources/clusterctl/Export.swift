import ArgumentParser
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
        try await runReporting {
            let client = try global.client()
            defer { client.close() }
            let job = try await client.job(job)
            let variables = try await ModelExporter.export(job: job, to: out, security: try global.security())
            if global.json {
                print(JobPresentation.json(["file": out, "job": job.id, "variables": variables.map { ["name": $0.name, "shape": $0.shape.dims] as [String: Any] }]))
            } else {
                print("wrote \(variables.count) variables of \(job.id) to \(out)")
            }
        }
    }
}
