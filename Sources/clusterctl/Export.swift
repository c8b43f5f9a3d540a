import ArgumentParser
import ClusterPresentation
import ClusterRuntime

/// `clusterctl export JOB --out model.safetensors`.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a job's trained variables to a safetensors file (loadable with Python's safetensors and numpy).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7), or a study (study-3: its best trial's job).")
    var job: String

    @Option(name: .long, help: "Output file.")
    var out: String

    func run() async throws {
        try await global.withClient { client in
            let job = try await client.job(try await exportedJobID(client))
            let variables = try await ModelExporter.export(job: job, to: out, security: try global.security())
            global.show(ExportSummary(file: out, job: job.id, variables: variables)) { "wrote \(variables.count) variables of \(job.id) to \(out)" }
        }
    }
}

extension Export {
    /// The job to export: the argument, or a study's best succeeded trial's job.
    func exportedJobID(_ client: CoordinatorClient) async throws -> String {
        guard isStudyID(job) else { return job }
        let study = try await client.study(job)
        guard study.bestTrial > 0, let best = study.trials.first(where: { $0.number == study.bestTrial }), !best.jobID.isEmpty else {
            throw ValidationError("\(study.id) has no succeeded trial yet (\(study.state)); nothing to export")
        }
        return best.jobID
    }
}
