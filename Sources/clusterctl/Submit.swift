import ArgumentParser
import ClusterPresentation
import ClusterRuntime
import Foundation

/// `clusterctl submit FILE.yaml|- [--follow] [--dry-run]`.
struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a job spec (YAML) from a file, or from standard input with -.",
        discussion: """
            --dry-run checks the spec with the coordinator's own parser without contacting it (as `validate`): \
            exit code 0 when valid, 1 with each error's key path on stderr otherwise. The coordinator checks \
            more on submit (registered model types, the shards' free memory). A spec is at most 1 MiB.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The job spec file (see docs/job-spec.md), or - for standard input.", completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    @Flag(name: .long, help: "Show progress until the job ends; exit code 0 only if it succeeded.")
    var follow = false

    @Flag(name: .long, help: "Check the spec locally and print the result; submit nothing.")
    var dryRun = false

    func validate() throws {
        if follow && dryRun { throw ValidationError("--follow and --dry-run exclude each other: a dry run submits nothing") }
    }

    func run() async throws {
        if dryRun {
            try await runReporting { try checkSpec(file: file, output: global.output) }
            return
        }
        try await global.withClient { client in
            let yaml = try SpecInput.read(file)
            let job = try await client.submit(yaml: yaml)
            if follow {
                if !global.format.isMachineReadable { print("submitted \(job.id) (\(job.name))") }
                try throwUnlessSucceeded(try await JobFollower(client: client, jobID: job.id, output: global.output).follow())
            } else {
                global.show(JobSummary(job)) { "submitted \(job.id) (\(job.name))" }
            }
        }
    }
}

/// Parses the spec in `file` ("-": standard input) as the coordinator does and prints the result; exit code 1 with
/// the errors on stderr when it is invalid.
func checkSpec(file: String, output: OutputOptions) throws {
    let check = SpecCheck(file: file, yaml: try SpecInput.read(file))
    if check.valid || output.format.isMachineReadable {
        output.show(check) { check.text }
    }
    if !check.valid {
        FileHandle.standardError.write(Data(check.text.split(separator: "\n").map { "clusterctl: \($0)\n" }.joined().utf8))
        throw ExitCode(1)
    }
}
