import Foundation
import JobSpec
import Testing

@testable import Tuning

/// A seeded synthetic study: each trial's curve is q·(1 − e^(−step/400)) + noise, where the hidden quality q grows
/// with the trial's learning rate, so the final value is monotone in the parameter plus noise.
struct SyntheticStudy {
    static let lastStep = 2000
    static let every = 100
    let seed: UInt64

    /// The hidden quality of an assignment.
    static func quality(_ a: [String: ParamValue]) -> Double { 0.5 + 4.5 * (a["optimizer.learning_rate"]?.number ?? 0) }

    /// The metric trial `number` reports at `step` (its noise seeded by study seed, trial and step).
    func value(_ a: [String: ParamValue], trial: Int, step: Int) -> Double {
        var rng = SplitMix64(seed: seed &+ UInt64(trial) &* 7919, stream: step)
        return Self.quality(a) * (1 - exp(-Double(step) / 400)) + 0.003 * rng.normal()
    }

    /// Runs a whole study with up to max_parallel trials at once, round-robin one report per trial per tick.
    /// Returns the study and the trial-steps it used.
    func run(_ spec: StudySpec) throws -> (Study, Int) {
        var study = Study(spec: spec)
        var steps = 0
        var progress: [Int: Int] = [:]
        while !study.isDone {
            for t in study.nextTrials(capacity: spec.maxParallelTrials) {
                try study.start(trial: t.number, jobID: "job-\(t.number)")
                progress[t.number] = 0
            }
            for number in progress.keys.sorted() {
                let step = progress[number]! + Self.every
                progress[number] = step
                steps += Self.every
                let a = study.trials[number - 1].assignment
                if try study.record(trial: number, step: step, metric: value(a, trial: number, step: step)) != nil {
                    progress[number] = nil
                } else if step >= Self.lastStep {
                    try study.finish(trial: number, succeeded: true)
                    progress[number] = nil
                }
            }
        }
        return (study, steps)
    }

    /// The trial that would end best if every trial ran to the last step.
    func eventualBest(_ study: Study) -> Int {
        study.trials.max { value($0.assignment, trial: $0.number, step: Self.lastStep) < value($1.assignment, trial: $1.number, step: Self.lastStep) }!.number
    }
}

@Suite struct EarlyStoppingTests {
    static func spec(_ stopping: String, seed: Int) throws -> StudySpec {
        try StudySpecParser.parse(yaml: studyYAML("""
            goal: maximize
            metric: accuracy
            max_trials: 30
            max_parallel_trials: 4
            algorithm: random
            seed: \(seed)
            early_stopping: \(stopping)
            params:
              - {key: optimizer.learning_rate, type: double, min: 0.001, max: 0.1}
            """))
    }

    @Test(arguments: ["{rule: median, min_steps: 300, min_trials: 3}", "{rule: asha, min_steps: 200, reduction_factor: 3}"])
    func earlyStoppingNeverStopsTheEventualBestTrial(_ rule: String) throws {
        for seed in 1...6 {
            let spec = try Self.spec(rule, seed: seed)
            let synthetic = SyntheticStudy(seed: UInt64(seed))
            let (study, steps) = try synthetic.run(spec)
            let best = synthetic.eventualBest(study)
            #expect(study.trials[best - 1].state == .succeeded, "seed \(seed): trial \(best) \(study.trials[best - 1].reason ?? "")")
            #expect(study.best?.number == best, "seed \(seed)")
            // Stopping saves work: fewer trial-steps than 30 full runs, some trials stopped, all with a reason.
            let stopped = study.trials.filter { $0.state == .stopped }
            #expect(!stopped.isEmpty && stopped.allSatisfy { $0.reason?.contains("accuracy") == true })
            // The median rule compares with running averages (Vizier's conservative form), so it saves less than ASHA.
            let budget = 30 * SyntheticStudy.lastStep * (rule.contains("asha") ? 3 : 4) / 4
            #expect(steps < budget, "seed \(seed): \(steps) trial-steps")
            #expect(study.trials.count == 30)
        }
    }

    @Test func withoutEarlyStoppingEveryTrialRunsToTheEnd() throws {
        let (study, steps) = try SyntheticStudy(seed: 1).run(try Self.spec("none", seed: 1))
        #expect(study.trials.allSatisfy { $0.state == .succeeded })
        #expect(steps == 30 * SyntheticStudy.lastStep)
    }

    static func curve(_ number: Int, _ values: [Double], every: Int = 100) -> TrialCurve {
        TrialCurve(number: number, points: values.enumerated().map { MetricPoint(step: ($0.offset + 1) * every, value: $0.element) })
    }

    @Test func theMedianRuleSaysWhyItStopped() throws {
        let rule = MedianStopping(metric: "accuracy", goal: .maximize, minSteps: 200, minTrials: 3)
        let others = [Self.curve(1, [0.88, 0.92]), Self.curve(2, [0.86, 0.94]), Self.curve(3, [0.9, 0.9]), Self.curve(4, [0.7, 0.8, 0.9])]
        let decision = try #require(rule.decide(Self.curve(5, [0.75, 0.81]), others: others))
        #expect(decision.trial == 5 && decision.step == 200)
        #expect(decision.reason == "accuracy 0.81 (best by step 200) below the median 0.9 of 4 trials' running averages")
        // Not before min_steps, not with fewer than min_trials that reached the step, not when at the median.
        #expect(rule.decide(Self.curve(5, [0.5]), others: others) == nil)
        #expect(rule.decide(Self.curve(5, [0.75, 0.81]), others: Array(others.prefix(2))) == nil)
        #expect(rule.decide(Self.curve(5, [0.75, 0.95]), others: others) == nil)
        // A minimized loss stops when above the median.
        let loss = MedianStopping(metric: "loss", goal: .minimize, minSteps: 100, minTrials: 2)
        let stop = try #require(loss.decide(Self.curve(3, [1.5]), others: [Self.curve(1, [0.5]), Self.curve(2, [0.7])]))
        #expect(stop.reason.contains("loss 1.5") && stop.reason.contains("above the median 0.6"))
    }

    @Test func ashaPromotesTheTopThirdAtEachRung() throws {
        let rule = ASHAStopping(metric: "auc", goal: .maximize, minSteps: 100, reductionFactor: 3)
        #expect(rule.rungs(upTo: 1000) == [100, 300, 900])
        let others = [Self.curve(1, [0.6, 0.7, 0.8]), Self.curve(2, [0.5, 0.6, 0.65]), Self.curve(3, [0.55, 0.7, 0.75])]
        // At rung 100 the values are 0.6, 0.5, 0.55 and the newcomer's: 4 trials keep the best 1.
        let stop = try #require(rule.decide(Self.curve(4, [0.58]), others: others))
        #expect(stop.reason == "auc 0.58 at rung step 100 not in the top 1/3 of 4 trials (needed 0.6)")
        #expect(rule.decide(Self.curve(4, [0.61]), others: others) == nil)
        // Between rungs nothing is judged; with fewer than η trials at a rung only the best so far goes on (the first
        // trial at a rung always does).
        #expect(rule.decide(Self.curve(4, [0.61, 0.1]), others: others) == nil)
        #expect(rule.decide(Self.curve(4, [0.1]), others: []) == nil)
        #expect(rule.decide(Self.curve(4, [0.95]), others: [Self.curve(1, [0.9])]) == nil)
        let second = try #require(rule.decide(Self.curve(4, [0.1]), others: [Self.curve(1, [0.9])]))
        #expect(second.reason == "auc 0.1 at rung step 100 not in the top 1/3 of 2 trials (needed 0.9)")
    }
}
