import ArgumentParser
import ClusterAPI
import ClusterPresentation
import ClusterRuntime
import Foundation

/// `clusterctl tune STUDY.yaml|- [--follow] [--dry-run]`.
struct Tune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a hyperparameter-tuning study: a job spec plus a tuning: section (docs/tuning.md).",
        discussion: """
            Each trial runs as an ordinary job named NAME-trial-N, labelled with the study. --follow prints a line per \
            trial as it starts, stops or ends, then the trials best first; exit code 0 when the study succeeded, 1 when \
            no trial did, 2 when it was cancelled. --dry-run has the coordinator validate the study without starting it.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The study file, or - for standard input.", completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    @Flag(name: .long, help: "Show each trial's progress until the study ends.")
    var follow = false

    @Flag(name: .long, help: "Validate on the coordinator; start nothing.")
    var dryRun = false

    @Option(name: .long, help: "Seconds between polls with --follow (0.2–60).")
    var interval: Double = 1

    func validate() throws {
        if follow && dryRun { throw ValidationError("--follow and --dry-run exclude each other: a dry run starts nothing") }
        guard interval.isFinite, interval >= 0.2, interval <= 60 else { throw ValidationError("--interval must be in 0.2…60 seconds, got \(interval)") }
    }

    func run() async throws {
        try await global.withClient { client in
            let yaml = try SpecInput.read(file)
            let study = try await client.submitStudy(yaml: yaml, dryRun: dryRun)
            guard follow else {
                global.show(StudySummary(study)) {
                    dryRun ? StudyPresentation.render(study) : "submitted \(study.id) (\(study.name)): \(study.trials.count) trial(s) started"
                }
                return
            }
            if !global.format.isMachineReadable { print("submitted \(study.id) (\(study.name))") }
            let final = try await StudyFollower(client: client, id: study.id, interval: interval, output: global.output).follow()
            switch final.state {
            case "SUCCEEDED": return
            case "CANCELLED": throw ExitCode(2)
            default: throw ExitCode(1)
            }
        }
    }
}

/// Polls a study and prints each trial's change until the study ends; returns the study as it ended.
struct StudyFollower {
    let client: CoordinatorClient
    let id: String
    let interval: Double
    let output: OutputOptions

    func follow() async throws -> Tessera_V1_Study {
        var previous: Tessera_V1_Study?
        while true {
            let study = try await client.study(id)
            if !output.format.isMachineReadable {
                for line in StudyPresentation.events(from: previous, to: study) { print(line) }
            }
            if study.state != "RUNNING" {
                output.show(StudySummary(study)) { "\n" + StudyPresentation.render(study) }
                return study
            }
            previous = study
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
    }
}

/// `clusterctl studies [--limit N]`.
struct Studies: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List hyperparameter-tuning studies, newest first.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Show at most this many studies (default 100; at most 1000).")
    var limit: Int32 = 0

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must be ≥ 0, got \(limit)") }
    }

    func run() async throws {
        try await global.withClient { client in
            let page = try await client.studies(limit: limit)
            global.show(page.studies.map(StudySummary.init)) { StudyPresentation.studiesTable(page.studies).render() }
        }
    }
}

/// Whether a command's argument names a study ("study-3") rather than a job.
func isStudyID(_ text: String) -> Bool { text.hasPrefix("study-") }
