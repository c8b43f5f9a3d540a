import ArgumentParser
import ClusterPresentation

/// `clusterctl delete JOB [--force]`.
struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete an ended job: its record, metric history, checkpoints and TensorBoard event files.",
        discussion: """
            A pending or running job is refused unless --force, which cancels it first. The job's checkpoint files are \
            deleted on every parameter server that answers; copy its TensorBoard folder first to keep the curves.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7), or a study (study-3: the study's record; its trials' jobs stay).")
    var job: String

    @Flag(name: .long, help: "Cancel the job first when it is still pending or running.")
    var force = false

    func run() async throws {
        try await global.withClient { client in
            if isStudyID(job) {
                let study = try await client.deleteStudy(job, force: force)
                global.show(StudySummary(study)) { "\(study.id) deleted (was \(study.state))" }
                return
            }
            let job = try await client.delete(job, force: force)
            global.show(JobSummary(job)) { "\(job.id) deleted (was \(job.state.displayName))" }
        }
    }
}
