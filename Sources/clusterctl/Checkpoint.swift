import ArgumentParser
import ClusterPresentation

/// `clusterctl checkpoint JOB`.
struct Checkpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a consistent checkpoint of a running job now (sync: at one step; async: with updates paused).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    func run() async throws {
        try await global.withClient { client in
            let answer = try await client.checkpoint(job)
            global.show(CheckpointSummary(job: job, answer)) {
                "checkpoint of \(job) at step \(answer.version): \(answer.files) shard file(s), \(answer.bytes) bytes, manifest \(answer.manifest)"
            }
        }
    }
}
