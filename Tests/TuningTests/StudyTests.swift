import Foundation
import JobSpec
import Testing

@testable import Tuning

@Suite struct StudyTests {
    static func spec(_ algorithm: String = "tpe", maxTrials: Int = 12, parallel: Int = 3) throws -> StudySpec {
        try StudySpecParser.parse(yaml: studyYAML("""
            goal: maximize
            metric: accuracy
            max_trials: \(maxTrials)
            max_parallel_trials: \(parallel)
            algorithm: \(algorithm)
            tpe: {startup_trials: 4}
            early_stopping: {rule: median, min_steps: 200, min_trials: 2}
            params:
              - {key: optimizer.learning_rate, type: double, min: 0.0001, max: 0.1, scale: log}
              - {key: optimizer.type, type: categorical, values: [sgd, momentum, adam]}
            """.replacingOccurrences(of: algorithm == "tpe" ? "" : "tpe: {startup_trials: 4}\n", with: "")))
    }

    /// Starts every proposed trial, reports three points each and finishes them.
    static func runTrials(_ study: inout Study, _ trials: [Trial]) throws {
        for t in trials {
            try study.start(trial: t.number, jobID: "job-\(t.number)")
            let q = 1 - abs(log10(t.assignment["optimizer.learning_rate"]!.number!) + 2.5) / 3
            var stopped = false
            for step in [100, 200, 300] where !stopped {
                stopped = try study.record(trial: t.number, step: step, metric: q * Double(step) / 300) != nil
            }
            try study.finish(trial: t.number, succeeded: true, finalValue: q)  // no-op for a stopped trial
        }
    }

    @Test func nextTrialsRespectsTheParallelAndTrialLimits() throws {
        var study = Study(spec: try Self.spec(maxTrials: 5, parallel: 3))
        let first = study.nextTrials(capacity: 10)
        #expect(first.map(\.number) == [1, 2, 3])
        // Pending trials come back until they start; nothing new beyond max_parallel_trials.
        #expect(study.nextTrials(capacity: 10).map(\.number) == [1, 2, 3])
        #expect(study.nextTrials(capacity: 1).map(\.number) == [1])
        for t in first { try study.start(trial: t.number, jobID: "j\(t.number)") }
        #expect(study.nextTrials(capacity: 10).isEmpty)
        try study.finish(trial: 1, succeeded: false, reason: "worker lost")
        #expect(study.nextTrials(capacity: 10).map(\.number) == [4])
        try study.start(trial: 4, jobID: "j4")
        try study.finish(trial: 2, succeeded: true, finalValue: 0.9)
        try study.finish(trial: 3, succeeded: true, finalValue: 0.8)
        #expect(study.nextTrials(capacity: 10).map(\.number) == [5])
        try study.start(trial: 5, jobID: "j5")
        #expect(study.nextTrials(capacity: 10).isEmpty)
        #expect(!study.isDone)
        try study.finish(trial: 4, succeeded: true, finalValue: 0.95)
        try study.finish(trial: 5, succeeded: true, finalValue: 0.7)
        #expect(study.isDone)
        #expect(study.best?.number == 4)
        #expect(study.ranked.map(\.number) == [4, 2, 3, 5, 1])
        #expect(study.trials[0].state == .failed && study.trials[0].reason == "worker lost")
    }

    @Test func aGridStudyIsDoneWhenTheGridIsUsedUp() throws {
        var study = Study(spec: try StudySpecParser.parse(yaml: studyYAML("""
            goal: minimize
            metric: loss
            max_trials: 100
            max_parallel_trials: 4
            algorithm: grid
            params:
              - {key: optimizer.type, type: categorical, values: [sgd, adam]}
              - {key: optimizer.learning_rate, type: double, min: 0.001, max: 0.1, scale: log, grid_points: 3}
            """)))
        var seen: [[String: ParamValue]] = []
        while !study.isDone {
            let batch = study.nextTrials(capacity: 4)
            #expect(!batch.isEmpty)
            seen += batch.map(\.assignment)
            try Self.runTrials(&study, batch)
        }
        #expect(study.trials.count == 6 && Set(seen).count == 6)
        #expect(study.nextTrials(capacity: 4).isEmpty)
    }

    @Test func aStudyRoundTripsAndNeverRerunsFinishedTrialsAfterADecode() throws {
        var study = Study(spec: try Self.spec())
        try Self.runTrials(&study, study.nextTrials(capacity: 3))
        try Self.runTrials(&study, study.nextTrials(capacity: 3))
        let running = study.nextTrials(capacity: 3)
        try study.start(trial: running[0].number, jobID: "job-7")
        try study.record(trial: running[0].number, step: 100, metric: 0.5)
        // trials 8 and 9 stay pending: proposed but not started when the coordinator stopped.

        let data = try JSONEncoder().encode(study)
        var restored = try JSONDecoder().decode(Study.self, from: data)
        #expect(restored == study)
        #expect(restored.spec.params == study.spec.params)
        // Trial 7 runs and 8, 9 are pending: max_parallel_trials 3 leaves no room for a new one.
        #expect(restored.nextTrials(capacity: 3).map(\.number) == [8, 9])
        try restored.finish(trial: 7, succeeded: false, reason: "cancelled")
        try study.finish(trial: 7, succeeded: false, reason: "cancelled")
        let next = restored.nextTrials(capacity: 3)
        #expect(next.map(\.number) == [8, 9, 10], "pending trials first, then one new trial")
        #expect(next.allSatisfy { $0.state == .pending })
        #expect(restored.trials.prefix(6).allSatisfy { $0.state == .succeeded || $0.state == .stopped })
        #expect(restored.trials[6].state == .failed && restored.trials[6].jobID == "job-7")
        // The same history proposes the same new trial before and after the restart.
        var original = study
        #expect(original.nextTrials(capacity: 3) == next)
    }

    @Test func aTamperedStoredStudyIsRefused() throws {
        var study = Study(spec: try Self.spec())
        try Self.runTrials(&study, study.nextTrials(capacity: 2))
        let json = String(decoding: try JSONEncoder().encode(study), as: UTF8.self)
        for (from, to) in [("\"number\":2", "\"number\":5"), ("\"step\":200", "\"step\":50"), ("\"jobID\":\"job-1\"", "\"jobID\":\"\"")] {
            #expect(json.contains(from))
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(Study.self, from: Data(json.replacingOccurrences(of: from, with: to).utf8)) }
        }
        var wild = study
        wild.trials[0].assignment["optimizer.learning_rate"] = .double(7)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Study.self, from: try JSONEncoder().encode(wild)) }
    }

    @Test func badReportsAreRefusedAndChangeNothing() throws {
        var study = Study(spec: try Self.spec())
        let t = study.nextTrials(capacity: 1)[0]
        #expect(throws: StudyError.self) { try study.record(trial: t.number, step: 100, metric: 0.5) }  // still pending
        try study.start(trial: t.number, jobID: "job")
        let before = study
        #expect(throws: StudyError.self) { try study.record(trial: 99, step: 100, metric: 0.5) }
        #expect(throws: StudyError.self) { try study.record(trial: t.number, step: 0, metric: 0.5) }
        #expect(throws: StudyError.self) { try study.record(trial: t.number, step: 100, metric: .nan) }
        #expect(throws: StudyError.self) { try study.start(trial: t.number, jobID: "again") }
        #expect(throws: StudyError.self) { try study.finish(trial: t.number, succeeded: true, finalValue: .infinity) }
        #expect(study == before)
        try study.record(trial: t.number, step: 200, metric: 0.5)
        try study.record(trial: t.number, step: 100, metric: 0.9)  // a repeated older step is ignored
        #expect(study.trials[0].points == [MetricPoint(step: 200, value: 0.5)])
    }

    @Test func aLongCurveIsThinnedNotDropped() throws {
        var study = Study(spec: try Self.spec())
        let t = study.nextTrials(capacity: 1)[0]
        try study.start(trial: t.number, jobID: "job")
        for step in 1...3000 { try study.record(trial: t.number, step: step, metric: Double(step)) }
        let points = study.trials[0].points
        #expect(points.count <= TuningLimits.seriesPoints)
        #expect(points.last == MetricPoint(step: 3000, value: 3000))
        #expect(points.first?.step == 1)
    }
}
