import ClusterAPI
import ClusterPresentation
import Foundation
import Testing

/// `--json` of jobs: the summary of a coordinator's job record prints the same text as before, with nulls
/// (never missing keys) where nothing is known, and reads back.
struct JobSummaryTests {
    @Test func aRunningJobPrintsTheContractText() {
        #expect(JSONText.render(JobSummary(Fixtures.runningJob)) == ExpectedJobJSON.running)
    }

    @Test func aJustSubmittedJobHasNullsWhereNothingIsKnown() {
        #expect(JSONText.render(JobSummary(Fixtures.pendingJob)) == ExpectedJobJSON.pending)
    }

    @Test func aListIsAnArrayOfTheSameObjects() {
        let list = JSONText.render([Fixtures.runningJob, Fixtures.pendingJob].map(JobSummary.init))
        let indented = { (text: String) in text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n") }
        #expect(list == "[\n" + indented(ExpectedJobJSON.running) + ",\n" + indented(ExpectedJobJSON.pending) + "\n]")
        #expect(JSONText.render([JobSummary]()) == "[\n\n]")
    }

    @Test func numbersJSONCannotCarryAreNull() throws {
        var job = Fixtures.runningJob
        job.stepsPerSecond = .nan
        job.trainMetrics.loss = .infinity
        job.evalMetrics.auc = -.infinity
        let object = try #require(try JSONSerialization.jsonObject(with: Data(JSONText.render(JobSummary(job)).utf8)) as? [String: Any])
        #expect(object["steps_per_second"] is NSNull)
        #expect((object["train_metrics"] as? [String: Any])?["loss"] is NSNull)
        #expect((object["eval_metrics"] as? [String: Any])?["auc"] is NSNull)
        #expect((object["eval_metrics"] as? [String: Any])?["accuracy"] as? Double == 0.9375)
    }

    @Test func hugeRowRangesAndByteCountsDoNotTrap() {
        var job = Fixtures.pendingJob
        job.placement = [
            .with { $0.variable = "v"; $0.shardName = "ps-0"; $0.rowOffset = .max - 1; $0.rowCount = 5; $0.bytes = .max },
            .with { $0.variable = "w"; $0.shardName = "ps-0"; $0.rowOffset = .min; $0.rowCount = -5; $0.bytes = 7 },
        ]
        let summary = JobSummary(job)
        #expect(summary.placement.map(\.rows) == [[.max - 1, .max], [.min, .min]])
        #expect(summary.bytesPerShard == ["ps-0": .max])
        #expect(JobDescription.render(job).contains("\(Int64.max - 1)..<\(Int64.max)"))
    }

    @Test func summariesReadBack() throws {
        for job in [Fixtures.runningJob, Fixtures.pendingJob] {
            let summary = JobSummary(job)
            #expect(try JSONDecoder().decode(JobSummary.self, from: Data(JSONText.render(summary).utf8)) == summary)
        }
    }
}
