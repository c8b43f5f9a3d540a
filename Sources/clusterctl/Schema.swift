import ArgumentParser
import JobSpec
import Tuning

/// `clusterctl schema`: print the JSON Schema of job specs (or, with `--kind study`, of studies).
struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema (draft 2020-12) of job specs or studies, for editors and CI validators.",
        discussion: """
            Generated from the same key lists, words and bounds as the parsers; the repository keeps copies in \
            docs/schema/job-spec.schema.json and docs/schema/study.schema.json (scripts/gen-schema rewrites both). \
            Contacts no coordinator. Point an editor at one with a first line "# yaml-language-server: $schema=PATH-OR-URL" \
            (docs/job-spec.md, docs/tuning.md).
            """)

    /// Which document's schema to print.
    enum Kind: String, CaseIterable, ExpressibleByArgument {
        /// A job spec (`kind: TrainingJob`).
        case job
        /// A study: a job spec plus `kind: Study` and `tuning:`.
        case study
    }

    @Option(help: "job (a job spec, the default) or study (a job spec plus kind: Study and tuning:).")
    var kind: Kind = .job

    func run() throws {
        switch kind {
        case .job: print(JobSpec.jsonSchema, terminator: "")
        case .study: print(StudySpec.jsonSchema, terminator: "")
        }
    }
}
