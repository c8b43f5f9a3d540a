import ArgumentParser
import ClusterPresentation

/// `clusterctl describe JOB`.
struct Describe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one job: state, metrics, placement, workers.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7), or a study (study-3).")
    var job: String

    func run() async throws {
        try await global.withClient { client in
            if isStudyID(job) {
                let study = try await client.study(job)
                global.show(StudySummary(study)) { StudyPresentation.render(study) }
                return
            }
            let job = try await client.job(job, withHistory: global.format.isMachineReadable || global.format == .wide)
            global.show(JobSummary(job), wide: { JobDescription.render(job, wide: true) }) { JobDescription.render(job) }
        }
    }
}
