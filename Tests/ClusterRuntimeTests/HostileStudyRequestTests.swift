import ClusterAPI
import ClusterRuntime
import Foundation
import Testing

/// The study RPCs with hostile input: refused with the right status and a sentence naming the problem, nothing stored,
/// and the coordinator keeps answering.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct HostileStudyRequestTests {
    static let study = """
        kind: Study
        name: lr
        model: {type: linear}
        data: {format: synthetic, samples: 64, weights: [2.0], bias: 1.0, batch_size: 8}
        optimizer: {type: sgd, learning_rate: 0.1}
        training: {mode: async, max_steps: 100, eval_every_steps: 10}
        tuning:
          goal: minimize
          metric: loss
          max_trials: 3
          params:
            - {key: optimizer.learning_rate, type: double, min: 0.001, max: 0.5, scale: log}
        """

    @Test func hostileStudyRequestsAreRefusedAndChangeNothing() async throws {
        let dir = NSTemporaryDirectory() + "tessera-hostile-study-\(UUID().uuidString)"
        let (daemon, client) = try await startCoordinator(dataDir: dir)
        defer { Task { await daemon.stop() } }

        let refusals: [(String, String, RuntimeFailure.Code, String)] = [
            ("a 2 MiB document", String(repeating: "#", count: 2 << 20), .invalidArgument, "MiB"),
            ("not YAML", "{[", .invalidArgument, ""),
            ("a job spec, no tuning", syntheticSpecYAML(), .invalidArgument, "tuning"),
            ("max_trials 2^63", Self.study.replacingOccurrences(of: "max_trials: 3", with: "max_trials: 9223372036854775807"), .invalidArgument, "max_trials"),
            ("max_trials −1", Self.study.replacingOccurrences(of: "max_trials: 3", with: "max_trials: -1"), .invalidArgument, "max_trials"),
            ("a metric no trial reports", Self.study.replacingOccurrences(of: "metric: loss", with: "metric: f1"), .invalidArgument, "tuning.metric"),
            ("a key with ..", Self.study.replacingOccurrences(of: "optimizer.learning_rate", with: "optimizer..learning_rate"), .invalidArgument, "tuning.params[0].key"),
        ]
        for (what, yaml, code, mention) in refusals {
            let refused = await statusOf { _ = try await client.submitStudy(yaml: yaml) }
            #expect(refused?.code == code, "\(what): \(String(describing: refused))")
            #expect(mention.isEmpty || refused?.message.contains(mention) == true, "\(what): \(String(describing: refused))")
        }
        for id in ["study-18446744073709551616", "study--1", "study-1e3", String(repeating: "9", count: 10_000), "job-1", ""] {
            let refused = await statusOf { _ = try await client.study(id) }
            #expect(refused?.code == .invalidArgument, "\(id.prefix(40)): \(String(describing: refused))")
        }
        #expect(await statusOf { _ = try await client.study("study-7") }?.code == .notFound)
        #expect(await statusOf { _ = try await client.cancelStudy("study-7") }?.code == .notFound)
        for limit: Int32 in [-1, .min, 1001, .max] {
            #expect(await statusOf { _ = try await client.studies(limit: limit) }?.code == .invalidArgument, "limit \(limit)")
        }
        // Nothing was stored; a valid study is accepted with the next number, and a dry run stores nothing.
        #expect(try await client.studies().total == 0)
        #expect(try await client.jobs().isEmpty)
        let dry = try await client.submitStudy(yaml: Self.study, dryRun: true)
        let afterDryRun = try await client.studies().total
        #expect(dry.id.isEmpty && dry.trials.isEmpty && afterDryRun == 0)
        let study = try await client.submitStudy(yaml: Self.study)
        #expect(study.id == "study-1" && study.trials.count == 1 && study.state == "RUNNING")
        #expect(await statusOf { _ = try await client.deleteStudy("study-1") }?.code == .failedPrecondition)
        #expect(try await client.deleteStudy("study-1", force: true).state == "CANCELLED")
    }
}
