import ClusterAPI
import ClusterPresentation
import ClusterRuntime
import Foundation
import Testing
import Yams

/// `-o json|yaml|name|wide`: JSON is the `--json` text, YAML reads back as the same summaries, names are one a line.
struct OutputFormatTests {
    @Test func jsonIsTheContractTextAndJSONFlagMeansTheSame() {
        let summary = JobSummary(Fixtures.runningJob)
        #expect(OutputText.render(summary, as: .json) { "table" } == ExpectedJobJSON.running)
        #expect(OutputText.render(summary, as: .table) { "table" } == "table")
        #expect(OutputText.render(summary, as: .wide, wide: { "wide" }) { "table" } == "wide")
        #expect(OutputText.render(summary, as: .wide) { "table" } == "table")
    }

    @Test func yamlReadsBackAsTheSameSummaries() throws {
        for job in [Fixtures.runningJob, Fixtures.pendingJob] {
            let summary = JobSummary(job)
            #expect(try YAMLDecoder().decode(JobSummary.self, from: YAMLText.render(summary)) == summary)
        }
        let status = ClusterSummary(Fixtures.status, probes: [:])
        #expect(try YAMLDecoder().decode(ClusterSummary.self, from: YAMLText.render(status)) == status)
        var variables = Fixtures.variables
        variables[0].values += [.nan, .infinity]
        let values = variables.map(VariableValues.init)
        let yaml = YAMLText.render(values)
        #expect(try YAMLDecoder().decode([VariableValues].self, from: yaml) == values)
        #expect(yaml.contains("- null"))
    }

    @Test func yamlHasTheJSONKeysNullsAndDigits() throws {
        let yaml = YAMLText.render(JobSummary(Fixtures.pendingJob))
        #expect(yaml.contains("eval_metrics: null") && yaml.contains("checkpoint: null") && yaml.contains("started_at: null"))
        #expect(yaml.contains("created_at: 1700000100"))
        #expect(yaml.hasPrefix("bytes_per_shard: {}\n"))
        // 0.1 as a float32 keeps every digit JSON prints.
        #expect(YAMLText.render(VariableValues(Fixtures.variables[0])).contains("0.10000000149011612"))
    }

    @Test func yamlQuotesStringsThatWouldReadAsOtherTypesAndSpellsFloatsForYAML11() throws {
        var job = Fixtures.pendingJob
        job.name = "7"
        job.reason = "yes"
        let yaml = YAMLText.render(JobSummary(job))
        #expect(yaml.contains("name: '7'") && yaml.contains("reason: 'yes'"))
        #expect(try YAMLDecoder().decode(JobSummary.self, from: yaml).name == "7")
        #expect(YAMLText.yaml11Number("1e-08") == "1.0e-08")
        #expect(YAMLText.yaml11Number("2e5") == "2.0e+5")
        #expect(YAMLText.yaml11Number("-1.5e+20") == "-1.5e+20")
        #expect(YAMLText.yaml11Number("0.25") == "0.25" && YAMLText.yaml11Number("true") == "true")
    }

    @Test func multiLineStringsAreBlocks() {
        let check = SpecCheck(file: "job.yaml", yaml: "name: a\nmodel: {type: linear}\ndata: {format: synthetic, samples: 10, weights: [1]}\n")
        let yaml = YAMLText.render(check)
        #expect(yaml.contains("resolved: |"))
        #expect(yaml.contains("\n  name: \"a\"\n"))
    }

    @Test func namesAreOneIdentifierALine() {
        let jobs = [Fixtures.runningJob, Fixtures.pendingJob].map(JobSummary.init)
        #expect(OutputText.render(jobs, as: .name) { "" } == "job-7\njob-8")
        #expect(OutputText.render(Fixtures.nodes.map { NodeSummary($0) }, as: .name) { "" } == "ps-0\nworker-0")
        #expect(OutputText.render(ClusterSummary(Fixtures.status, probes: [:]), as: .name) { "" } == "ps-0\nworker-0")
        #expect(OutputText.render([JobSummary](), as: .name) { "" } == "")
        struct Unnamed: Encodable { var x = 1 }
        #expect(OutputText.render(Unnamed(), as: .name) { "" } == nil)
    }

    @Test func wideTablesAddColumnsToTheSameRows() {
        var job = Fixtures.runningJob
        job.spec = .with { $0.training.mode = "sync"; $0.model.type = "mlp" }
        let table = JobPresentation.jobsWideTable([job])
        #expect(table.header.starts(with: JobPresentation.jobsTable([job]).header))
        #expect(table.header.suffix(7) == ["MODE", "MODEL", "WORKERS", "STEPS/S", "SAMPLES", "CHECKPOINT", "REASON"])
        #expect(table.rows[0].suffix(7) == ["sync", "mlp", "2", "12.5", "3840", "step 100", "-"])
        let nodes = JobPresentation.nodesWideTable(Fixtures.nodes).render()
        #expect(nodes.contains("127.0.0.1:7071") && nodes.contains("2.4 KiB of 8.0 GiB") && nodes.contains("two_tower"))
        let status = StatusPresentation.page(Fixtures.status, probes: [:], wide: true)
        #expect(status.contains("DATA ADDRESS") && status.contains("job-7"))
        #expect(JobDescription.render(job, wide: true).contains("History:"))
        #expect(!JobDescription.render(job).contains("History:"))
    }

    @Test func byteCountsNeverTrap() {
        #expect(JobPresentation.bytesText(.max) == "8.0 EiB")
        #expect(JobPresentation.bytesText(-5) == "-5 B")
        #expect(JobPresentation.memoryText(reserved: .min, limit: .max).hasSuffix("of 8.0 EiB"))
    }
}
