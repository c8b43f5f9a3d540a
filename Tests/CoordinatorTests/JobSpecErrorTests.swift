import Testing

@testable import Coordinator

/// A small valid spec that the error cases modify.
func specYAML(
    model: String = "{type: linear}", data: String = "{format: synthetic, weights: [2]}",
    optimizer: String = "{type: sgd, learning_rate: 0.1}", training: String = "{mode: async, max_steps: 10}",
    cluster: String = "{workers: 2}", extra: String = ""
) -> String {
    """
    name: t
    model: \(model)
    data: \(data)
    optimizer: \(optimizer)
    training: \(training)
    cluster: \(cluster)
    \(extra)
    """
}

/// Parses and returns the thrown error (nil when parsing succeeded).
func specError(_ yaml: String) -> SpecError? {
    do {
        _ = try JobSpecParser.parse(yaml: yaml)
        return nil
    } catch {
        return error
    }
}

struct ErrorCase: Sendable, CustomTestStringConvertible {
    let yaml: String
    let path: String
    let message: String
    var testDescription: String { "\(path): \(message)" }
}

@Suite struct JobSpecErrorTests {
    static let cases: [ErrorCase] = [
        // Wrong types.
        ErrorCase(yaml: specYAML(optimizer: "{learning_rate: fast}"), path: "optimizer.learning_rate", message: "expected a number, got \"fast\""),
        ErrorCase(yaml: specYAML(optimizer: "{learning_rate: \"0.1\"}"), path: "optimizer.learning_rate", message: "expected a number, got \"0.1\""),
        ErrorCase(yaml: specYAML(data: "{format: synthetic, weights: [2], batch_size: 1.5}"), path: "data.batch_size", message: "expected an integer, got 1.5"),
        ErrorCase(yaml: specYAML(data: "{format: synthetic, weights: [2], shuffle: maybe}"), path: "data.shuffle", message: "expected true or false, got \"maybe\""),
        ErrorCase(yaml: specYAML(model: "{type: mlp, hidden: 64}"), path: "model.hidden", message: "expected a list, got 64"),
        ErrorCase(yaml: specYAML(model: "{type: mlp, hidden: [64, x]}"), path: "model.hidden[1]", message: "expected an integer, got \"x\""),
        ErrorCase(yaml: specYAML(data: "{format: synthetic, weights: [2, nan]}"), path: "data.weights[1]", message: "expected a number"),
        ErrorCase(yaml: specYAML(model: "linear"), path: "model", message: "expected a mapping, got \"linear\""),
        ErrorCase(yaml: specYAML(training: "[sync]"), path: "training", message: "expected a mapping, got a list"),
        // Unknown keys and values, with hints.
        ErrorCase(yaml: specYAML(training: "{mdoe: sync}"), path: "training.mdoe", message: "unknown key (did you mean \"mode\"?)"),
        ErrorCase(yaml: specYAML(extra: "clustr: {}"), path: "clustr", message: "unknown key (did you mean \"cluster\"?)"),
        ErrorCase(yaml: specYAML(optimizer: "{type: sgd, schedule: {type: constant, decay: 1}}"), path: "optimizer.schedule.decay", message: "unknown key"),
        ErrorCase(yaml: specYAML(model: "{type: Mlp}"), path: "model.type", message: "\"Mlp\" is not a model type name: expected a built-in one (linear, logistic, softmax, mlp, cnn, wide_deep) or the name of a model registered with workers' ModelRegistry, matching [a-z][a-z0-9_]* (at most 64 characters) (did you mean \"mlp\"?)"),
        ErrorCase(yaml: specYAML(optimizer: "{type: adamw}"), path: "optimizer.type", message: "(did you mean \"adam\"?)"),
        ErrorCase(yaml: specYAML(training: "{mode: synchronous}"), path: "training.mode", message: "unknown value \"synchronous\""),
        ErrorCase(yaml: specYAML(extra: "name: again"), path: "", message: "duplicate key"),
        // Missing required fields.
        ErrorCase(yaml: "model: {type: linear}\ndata: {format: synthetic, weights: [1]}", path: "name", message: "required"),
        ErrorCase(yaml: "name: a\ndata: {format: synthetic, weights: [1]}", path: "model", message: "required"),
        ErrorCase(yaml: "name: a\nmodel: {hidden: [1]}\ndata: {format: csv}", path: "model.type", message: "required"),
        ErrorCase(yaml: specYAML(data: "{format: synthetic}"), path: "data.weights", message: "required when data.format is synthetic"),
        ErrorCase(yaml: specYAML(data: "{format: csv, train: a.csv}"), path: "data.label", message: "required for format csv"),
        ErrorCase(yaml: specYAML(data: "{format: idx, train: a}"), path: "data.train_labels", message: "required for format idx"),
        ErrorCase(yaml: specYAML(data: "{format: idx, train: a, train_labels: b, test: c}"), path: "data.test_labels", message: "required with data.test"),
        ErrorCase(yaml: specYAML(data: "{format: libsvm}"), path: "data.train", message: "required for format libsvm"),
        ErrorCase(yaml: specYAML(training: "{stop_at: {metric: accuracy}}"), path: "training.stop_at.value", message: "required"),
        // Ranges.
        ErrorCase(yaml: specYAML(data: "{format: synthetic, weights: [2], batch_size: 0}"), path: "data.batch_size", message: "must be > 0, got 0"),
        ErrorCase(yaml: specYAML(optimizer: "{learning_rate: 0}"), path: "optimizer.learning_rate", message: "must be > 0, got 0.0"),
        ErrorCase(yaml: specYAML(optimizer: "{type: momentum, momentum: 1.2}"), path: "optimizer.momentum", message: "must be in [0, 1), got 1.2"),
        ErrorCase(yaml: specYAML(data: "{format: csv, train: a, label: y, test_fraction: 1}"), path: "data.test_fraction", message: "must be in [0, 1), got 1.0"),
        ErrorCase(yaml: specYAML(data: "{format: csv, train: a, label: y, test: b, test_fraction: 0.2}"), path: "data.test_fraction", message: "not both"),
        ErrorCase(yaml: specYAML(data: "{format: synthetic, weights: [1], x_min: 1, x_max: 1}"), path: "data.x_max", message: "must be greater than data.x_min"),
        ErrorCase(yaml: specYAML(training: "{epochs: 0}"), path: "training.epochs", message: "must be > 0, got 0"),
        ErrorCase(yaml: specYAML(training: "{max_steps: -5}"), path: "training.max_steps", message: "must be > 0, got -5"),
        ErrorCase(yaml: specYAML(training: "{stop_at: {metric: accuracy, value: 97}}"), path: "training.stop_at.value", message: "in [0, 1]"),
        ErrorCase(yaml: specYAML(training: "{checkpoint: {keep: 0}}"), path: "training.checkpoint.keep", message: "must be > 0"),
        ErrorCase(yaml: specYAML(cluster: "{workers: 0}"), path: "cluster.workers", message: "must be > 0, got 0"),
        ErrorCase(yaml: specYAML(cluster: "{ps_shards: 0}"), path: "cluster.ps_shards", message: "must be > 0, got 0"),
        ErrorCase(yaml: specYAML(model: "{type: mlp, hidden: []}"), path: "model.hidden", message: "at least one hidden layer"),
        ErrorCase(yaml: specYAML(model: "{type: mlp, dropout: 1}"), path: "model.dropout", message: "must be in [0, 1)"),
        ErrorCase(yaml: specYAML(extra: "").replacingOccurrences(of: "name: t", with: "name: \"my job\""), path: "name", message: "letters, digits"),
        // Mode and format rules.
        ErrorCase(yaml: specYAML(training: "{mode: sync, replicas_to_aggregate: 0}"), path: "training.replicas_to_aggregate", message: "must be > 0, got 0"),
        ErrorCase(yaml: specYAML(training: "{mode: sync, replicas_to_aggregate: 2, backup_workers: 1}", cluster: "{workers: 2}"), path: "cluster.workers", message: "must be ≥ training.replicas_to_aggregate + training.backup_workers (3), got 2"),
        ErrorCase(yaml: specYAML(training: "{mode: sync, max_staleness: 3}"), path: "training.max_staleness", message: "only valid when training.mode is async"),
        ErrorCase(yaml: specYAML(training: "{mode: async, backup_workers: 1}"), path: "training.backup_workers", message: "only valid when training.mode is sync"),
        ErrorCase(yaml: specYAML(model: "{type: linear, hidden: [4]}"), path: "model.hidden", message: "only used by mlp, cnn and wide_deep"),
        ErrorCase(yaml: specYAML(model: "{type: mlp, cnn: {filters: [4]}}"), path: "model.cnn", message: "only valid when model.type is cnn"),
        ErrorCase(yaml: specYAML(model: "{type: cnn}"), path: "model.cnn.input_shape", message: "required unless data.format is idx"),
        ErrorCase(yaml: specYAML(data: "{format: csv, train: a, label: y, weights: [1]}"), path: "data.weights", message: "only valid when data.format is synthetic"),
        ErrorCase(yaml: specYAML(data: "{format: synthetic, weights: [1], train: a.csv}"), path: "data.train", message: "not used when data.format is synthetic"),
        ErrorCase(yaml: specYAML(data: "{format: csv, train: a, label: y, train_labels: b}"), path: "data.train_labels", message: "only used by format idx"),
        // Documents that are not job specs.
        ErrorCase(yaml: "", path: "", message: "the job spec is empty"),
        ErrorCase(yaml: "- a\n- b", path: "job spec", message: "expected a mapping, got a list"),
        ErrorCase(yaml: "name: [unclosed", path: "", message: "invalid YAML"),
    ]

    @Test(arguments: cases)
    func rejectsWithPath(_ c: ErrorCase) throws {
        let error = try #require(specError(c.yaml), "expected an error for:\n\(c.yaml)")
        #expect(CoordinatorError(error).code == .invalidSpec)  // what the coordinator answers with
        #expect(error.path == c.path, "message was: \(error)")
        #expect(error.message.contains(c.message), "message was: \(error)")
    }

    @Test func descriptionJoinsPathAndMessage() {
        let error = specError(specYAML(optimizer: "{learning_rate: fast}"))
        #expect(error?.description == "optimizer.learning_rate: expected a number, got \"fast\"")
        #expect(specError(specYAML(training: "{mdoe: sync}"))?.description == "training.mdoe: unknown key (did you mean \"mode\"?)")
        #expect(specError(specYAML(data: "{format: synthetic, weights: [2], batch_size: 0}"))?.description == "data.batch_size: must be > 0, got 0")
    }

    @Test func theBaseSpecIsValid() throws {
        #expect(specError(specYAML()) == nil)
    }
}
