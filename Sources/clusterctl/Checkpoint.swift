import ArgumentParser
import ClusterRuntime

/// `clusterctl checkpoint JOB`.
struct Checkpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a consistent checkpoint of a running job now (sync: at one step; async: with updates paused).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    func run() async throws {
        try await runReporting {
            let client = try global.client()
            defer { client.close() }
            let answer = try await client.checkpoint(job)
            if global.json {
                print(JobPresentation.json([
                    "job": job, "version": answer.version, "manifest": answer.manifest, "files": answer.files, "bytes": answer.bytes,
                ] as [String: Any]))
            } else {
                print("checkpoint of \(job) at step \(answer.version): \(answer.files) shard file(s), \(answer.bytes) bytes, manifest \(answer.manifest)")
            }
        }
    }
}
