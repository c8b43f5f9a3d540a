import Foundation
import JobSpec

@testable import Tuning

/// A small valid job spec (linear model on synthetic data) that studies in the tests tune.
let baseSpec = """
    name: tune-test
    model: {type: mlp, hidden: [32, 16], classes: 2}
    data: {format: synthetic, weights: [1, 2], samples: 100}
    optimizer: {type: sgd, learning_rate: 0.01}
    training: {max_steps: 1000}

    """

/// A study document: the base spec plus `tuning` (indented under `tuning:`).
func studyYAML(_ tuning: String, base: String = baseSpec) -> String {
    base + "tuning:\n" + tuning.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n"
}

/// The standard three-parameter space over the base spec.
let threeParams = """
    goal: maximize
    metric: accuracy
    max_trials: 40
    max_parallel_trials: 4
    algorithm: ALGO
    params:
      - {key: optimizer.learning_rate, type: double, min: 0.0001, max: 0.1, scale: log}
      - {key: "model.hidden[0]", type: discrete, values: [64, 128, 256, 512]}
      - {key: optimizer.type, type: categorical, values: [sgd, momentum, adam]}
      - {key: data.batch_size, type: integer, min: 8, max: 64}
    """

/// A parsed study with the standard params and `algorithm`.
func standardStudy(_ algorithm: String, extra: String = "") throws -> StudySpec {
    try StudySpecParser.parse(yaml: studyYAML(threeParams.replacingOccurrences(of: "ALGO", with: algorithm) + extra))
}

/// The repository root (Tests/TuningTests/TestSupport.swift is three levels down).
func repositoryRoot(_ file: String = #filePath) -> URL {
    URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// The SpecError a study document raises (nil when it parses).
func parseError(_ yaml: String) -> SpecError? {
    do {
        _ = try StudySpecParser.parse(yaml: yaml)
        return nil
    } catch {
        return error
    }
}
