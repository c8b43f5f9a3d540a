import Foundation
import JobSpec
import Testing

@testable import Tuning

@Suite struct StudySpecParserTests {
    @Test func theMNISTExampleParses() throws {
        let url = repositoryRoot().appendingPathComponent("examples/studies/mnist-tune.yaml")
        let spec = try StudySpecParser.parse(yaml: String(contentsOf: url, encoding: .utf8))
        #expect(spec.name == "mnist-tune")
        #expect(spec.goal == .maximize)
        #expect(spec.metric == "accuracy")
        #expect(spec.maxTrials == 24 && spec.maxParallelTrials == 3)
        #expect(spec.algorithm == .tpe && spec.tpe.startupTrials == 8)
        #expect(spec.earlyStopping == .median(minSteps: 500, minTrials: 3))
        #expect(spec.seed == 7)
        #expect(spec.params.map(\.key) == ["optimizer.learning_rate", "model.hidden[0]", "optimizer.type"])
        #expect(spec.params[0].scale == .log && spec.params[0].min == 0.0001 && spec.params[0].max == 0.1)
        #expect(spec.params[1].values == [.int(64), .int(128), .int(256), .int(512)])
        #expect(spec.params[2].values == [.string("sgd"), .string("momentum"), .string("adam")])
        #expect(spec.base.model.hidden == [256])
        #expect(spec.base.optimizer.type == .adam)
    }

    @Test func aTrialSpecIsTheBaseWithTheAssignment() throws {
        let spec = try standardStudy("random")
        let job = try spec.trialSpec(
            for: [
                "optimizer.learning_rate": .double(0.003), "model.hidden[0]": .int(512), "optimizer.type": .string("adam"),
                "data.batch_size": .int(48),
            ], number: 7)
        #expect(job.name == "tune-test-trial-7")
        #expect(job.optimizer.learningRate == 0.003)
        #expect(job.optimizer.type == .adam)
        #expect(job.model.hidden == [512, 16])
        #expect(job.data.batchSize == 48)
        // Everything else is the base spec's.
        var expected = spec.base
        expected.name = job.name
        expected.optimizer.learningRate = 0.003
        expected.optimizer.type = .adam
        expected.model.hidden = [512, 16]
        expected.data.batchSize = 48
        #expect(job == expected)
    }

    @Test func aKeyTheBaseLeavesOutIsWrittenIn() throws {
        let spec = try StudySpecParser.parse(yaml: studyYAML("""
            goal: minimize
            metric: loss
            max_trials: 5
            params:
              - {key: training.checkpoint.keep, type: integer, min: 1, max: 9}
              - {key: optimizer.nesterov, type: categorical, values: [true, false]}
            """))
        let job = try spec.trialSpec(for: ["training.checkpoint.keep": .int(4), "optimizer.nesterov": .string("true")])
        #expect(job.training.checkpoint.keep == 4)
        #expect(job.optimizer.nesterov)
    }

    @Test func anAssignmentOutsideTheParamsIsRefused() throws {
        let spec = try standardStudy("random")
        var a: [String: ParamValue] = [
            "optimizer.learning_rate": .double(0.5), "model.hidden[0]": .int(64), "optimizer.type": .string("adam"), "data.batch_size": .int(8),
        ]
        #expect(throws: SpecError.self) { try spec.trialSpec(for: a) }
        a["optimizer.learning_rate"] = .double(0.01)
        a["optimizer.momentum"] = .double(0.5)
        #expect(throws: SpecError.self) { try spec.trialSpec(for: a) }
    }

    /// Each bad study, the path its error names, and words the message contains.
    static let refusals: [(String, String, [String])] = [
        (studyYAML("goal: maximize\nmetric: accuracy\nmax_trial: 5\nparams: []"), "tuning.max_trial", ["did you mean \"max_trials\""]),
        (baseSpec + "tunning: {}\n", "tunning", ["did you mean \"tuning\""]),
        (baseSpec, "tuning", ["required"]),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: optimizer.learning_rat, type: double, min: 0.1, max: 1}"),
            "tuning.params[0].key", ["not a job spec key", "did you mean \"optimizer.learning_rate\""]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1}\n  - {key: optimizer.l1, type: double, min: 0.5, max: 0.1}"),
            "tuning.params[1].min", ["min must be < max"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1, scale: log}"),
            "tuning.params[0].min", ["log scale needs min > 0"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nmax_parallel_trials: 6\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1}"),
            "tuning.max_parallel_trials", ["≤ max_trials (5)"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: optimizer.momentum, type: double, min: 0.5, max: 1.5}"),
            "tuning.params[0].max", ["optimizer.momentum = 1.5", "the job spec is invalid"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: optimizer.type, type: categorical, values: [sgd, adamm]}"),
            "tuning.params[0].values[1]", ["optimizer.type = adamm", "did you mean \"adam\""]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5000\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1}"),
            "tuning.max_trials", ["≤ 1000", "the trial limit"]
        ),
        (
            studyYAML("goal: maximise\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1}"),
            "tuning.goal", ["did you mean \"maximize\""]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1, scal: log}"),
            "tuning.params[0].scal", ["did you mean \"scale\""]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: \"model.hidden[2]\", type: integer, min: 8, max: 64}"),
            "tuning.params[0].key", ["past the end", "2 entries"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: model.hidden, type: integer, min: 8, max: 64}"),
            "tuning.params[0].key", ["is a list", "model.hidden[0]"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: data.batch_size, type: double, min: 8, max: 64}"),
            "tuning.params[0].type", ["holds integers"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: data.batch_size, type: integer, min: 8, max: 100000}"),
            "tuning.params[0].max", ["data.batch_size = 100000", "per-step batch limit"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: name, type: categorical, values: [a, b]}"),
            "tuning.params[0].key", ["cannot be tuned"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nearly_stopping: {rule: asha, min_steps: 10, min_trials: 3}\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1}"),
            "tuning.early_stopping.min_trials", ["only valid when rule is median"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nearly_stopping: {rule: asha, min_steps: 10, reduction_factor: 1}\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1}"),
            "tuning.early_stopping.reduction_factor", ["must be ≥ 2"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nalgorithm: grid\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1, grid_points: 1000}"),
            "tuning.params[0].grid_points", ["≤ 100"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: model.hidden.0, type: discrete, values: [64, 32]}"),
            "tuning.params[0].values[1]", ["increasing order"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1e400}"),
            "tuning.params[0].max", ["finite number"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: data.batch_size, type: integer, min: 8, max: 99999999999999999999}"),
            "tuning.params[0].max", ["integer limit"]
        ),
        (
            studyYAML("goal: maximize\nmetric: accuracy\nmax_trials: 5\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1}", base: baseSpec.replacingOccurrences(of: "samples: 100", with: "samples: 0")),
            "data.samples", ["must be > 0"]
        ),
        ("kind: TrainingJob\n" + studyYAML("goal: maximize"), "kind", ["Study"]),
    ]

    @Test(arguments: 0..<refusals.count)
    func aBadStudyIsRefusedNamingThePath(_ i: Int) {
        let (yaml, path, words) = Self.refusals[i]
        guard let error = parseError(yaml) else {
            Issue.record("study \(i) was accepted")
            return
        }
        #expect(error.path == path, "\(error)")
        for word in words { #expect(error.message.contains(word), "\(error)") }
    }

    @Test func aTrialNameMustFitTheJobNameLimit() {
        let long = String(repeating: "a", count: 120)
        let error = parseError(studyYAML(
            "goal: maximize\nmetric: accuracy\nmax_trials: 100\nparams:\n  - {key: optimizer.l2, type: double, min: 0, max: 1}",
            base: baseSpec.replacingOccurrences(of: "name: tune-test", with: "name: \(long)")))
        #expect(error?.path == "name")
    }
}
