import Testing

@testable import Coordinator

/// `data.stream` in a job spec: what it allows, its defaults, and the refusals that name the key.
@Suite struct StreamSpecTests {
    static func streamSpec(data: String, training: String = "{mode: sync}", model: String = "{type: logistic}") -> String {
        specYAML(model: model, data: data, training: training, cluster: "{workers: 2}")
    }

    @Test func aStreamSpecParsesWithItsDefaultsAndRunsUntilCancelled() throws {
        let spec = try JobSpecParser.parse(yaml: Self.streamSpec(data: "{format: csv, label: y, stream: {dir: clicks}}"))
        let stream = try #require(spec.data.stream)
        #expect(stream == StreamSpec(dir: "clicks", pattern: "*", pollMs: 1000, evalWindow: 1000))
        #expect(spec.training.epochs == nil && spec.training.maxSteps == nil, "a stream has no epochs: it trains until cancelled")
        // The printed spec parses back to the same spec (what the coordinator stores and workers receive).
        #expect(try JobSpecParser.parse(yaml: spec.yaml) == spec)
        let full = try JobSpecParser.parse(yaml: Self.streamSpec(
            data: "{format: libsvm, test_fraction: 0.1, stream: {dir: s/clicks, pattern: 'part-*.svm', poll_ms: 50, eval_window: 5000}}",
            training: "{mode: async, max_steps: 100}"))
        #expect(full.data.stream == StreamSpec(dir: "s/clicks", pattern: "part-*.svm", pollMs: 50, evalWindow: 5000))
        #expect(full.training.maxSteps == 100)
    }

    @Test(arguments: [
        ("{format: csv, label: y, train: a.csv, stream: {dir: s}}", "data.train", "not used with data.stream"),
        ("{format: csv, label: y, test: a.csv, stream: {dir: s}}", "data.test", "not used with data.stream"),
        ("{format: idx, train_labels: l, stream: {dir: s}}", "data.format", "a stream reads csv, libsvm, tfrecord files, not idx"),
        ("{format: csv, stream: {dir: s}}", "data.label", "required for format csv"),
        ("{format: csv, label: y, stream: {pattern: '*.csv'}}", "data.stream.dir", "required"),
        ("{format: csv, label: y, stream: {dir: s, pattern: 'a/*.csv'}}", "data.stream.pattern", "cannot contain \"/\""),
        ("{format: csv, label: y, stream: {dir: s, poll_ms: 1}}", "data.stream.poll_ms", "must be ≥ 10"),
        ("{format: csv, label: y, stream: {dir: s, poll_ms: 9223372036854775807}}", "data.stream.poll_ms", "the stream poll range"),
        ("{format: csv, label: y, stream: {dir: s, eval_window: 0}}", "data.stream.eval_window", "must be > 0"),
        ("{format: csv, label: y, stream: {dir: s, eval_window: 1000001}}", "data.stream.eval_window", "the evaluation-window limit"),
        ("{format: csv, label: y, stream: {dir: s, every: 3}}", "data.stream.every", "unknown key"),
    ])
    func badStreamKeysAreRefusedNamingThePath(data: String, path: String, message: String) throws {
        let error = try #require(specError(Self.streamSpec(data: data)))
        #expect(error.path == path, "\(error)")
        #expect(error.message.contains(message), "\(error)")
    }

    @Test func aStreamHasNoEpochsAndNoWideDeepYet() throws {
        let epochs = try #require(specError(Self.streamSpec(data: "{format: csv, label: y, stream: {dir: s}}", training: "{mode: sync, epochs: 3}")))
        #expect(epochs.path == "training.epochs" && epochs.message.contains("no epochs"), "\(epochs)")
        let wide = try #require(specError(Self.streamSpec(
            data: "{format: csv, label: y, stream: {dir: s}}", model: "{type: wide_deep, wide_deep: {categorical: [a]}}")))
        #expect(wide.path == "data.stream" && wide.message.contains("wide_deep"), "\(wide)")
    }
}
