import ArgumentParser
import JobSpec

/// `clusterctl schema`: print the job spec's JSON Schema.
struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema (draft 2020-12) of job specs, for editors and CI validators.",
        discussion: """
            Generated from the same key lists, words and bounds as the coordinator's parser; the repository keeps a \
            copy in docs/schema/job-spec.schema.json (scripts/gen-schema rewrites it). Contacts no coordinator. \
            Point an editor at it with a first line "# yaml-language-server: $schema=PATH-OR-URL" (docs/job-spec.md).
            """)

    func run() throws {
        print(JobSpec.jsonSchema, terminator: "")
    }
}
