import ArgumentParser
import ClusterPresentation

/// `clusterctl cancel JOB`.
struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a job: its workers stop and its shards free the memory.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7), or a study (study-3: its running trials are cancelled too).")
    var job: String

    func run() async throws {
        try await global.withClient { client in
            if isStudyID(job) {
                let study = try await client.cancelStudy(job)
                global.show(StudySummary(study)) { "\(study.id) \(study.state)" }
                return
            }
            let job = try await client.cancel(job)
            global.show(JobSummary(job)) { "\(job.id) \(job.state.displayName)" }
        }
    }
}
