import Foundation
import Testing

@testable import JobSpec

/// The JSON Schema of job specs: generated from the parser's own tables, committed in sync, and refusing what the
/// parser refuses.
@Suite struct JobSpecSchemaTests {
    static let schemaURL = packageRoot().appendingPathComponent(JobSpec.schemaPath)

    static func schemaObject() throws -> [String: Any] {
        let data = Data(JobSpec.jsonSchema.utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func properties(_ schema: [String: Any], _ path: [String]) throws -> [String: Any] {
        var node = schema
        for key in path {
            let props = try #require(node["properties"] as? [String: Any])
            node = try #require(props[key] as? [String: Any], "no \(key) in the schema")
        }
        return try #require(node["properties"] as? [String: Any])
    }

    @Test func committedSchemaIsTheGeneratedOne() throws {
        let committed = try String(contentsOf: Self.schemaURL, encoding: .utf8)
        #expect(
            committed == JobSpec.jsonSchema,
            "\(JobSpec.schemaPath) differs from what the JobSpec module generates: run scripts/gen-schema and commit it")
    }

    @Test func everyKeyTheParserAllowsIsDescribedAndNoOther() throws {
        let schema = try Self.schemaObject()
        #expect(schema["additionalProperties"] as? Bool == false)
        let sections: [([String], SpecSection)] = [
            ([], SpecFields.top), (["model"], SpecFields.model), (["model", "cnn"], SpecFields.cnn),
            (["model", "wide_deep"], SpecFields.wideDeep), (["data"], SpecFields.data), (["optimizer"], SpecFields.optimizer),
            (["optimizer", "schedule"], SpecFields.schedule), (["training"], SpecFields.training),
            (["training", "checkpoint"], SpecFields.checkpoint), (["training", "stop_at"], SpecFields.stopAt),
            (["cluster"], SpecFields.cluster), (["serving"], SpecFields.serving),
        ]
        for (path, section) in sections {
            let props = try Self.properties(schema, path)
            #expect(Set(props.keys) == Set(section.keys), "\(path)")
        }
        #expect(JobSpecParser.dataKeys.contains("batch_size") && JobSpecParser.trainingKeys == SpecFields.training.keys)
    }

    @Test func boundsWordsAndDefaultsComeFromTheModule() throws {
        let schema = try Self.schemaObject()
        let batch = try #require(try Self.properties(schema, ["data"])["batch_size"] as? [String: Any])
        #expect(batch["minimum"] as? Int == JobSpecLimits.batchSize.lower)
        #expect(batch["maximum"] as? Int == JobSpecLimits.batchSize.upper)
        #expect(batch["default"] as? Int == 32)
        let optimizer = try #require(try Self.properties(schema, ["optimizer"])["type"] as? [String: Any])
        let words = try #require(optimizer["enum"] as? [Any])
        #expect(words.compactMap { $0 as? String } == OptimizerType.allCases.map(\.rawValue))
        let serving = try Self.properties(schema, ["serving"])
        let refresh = try #require(serving["refresh_ms"] as? [String: Any])
        #expect(refresh["maximum"] as? Int == JobSpecLimits.refreshMilliseconds.upper)
        #expect(refresh["default"] as? Int == ServingSpec.defaultRefreshMs)
        #expect(try Self.properties(schema, [])["init_from"] != nil)
    }

    @Test func apiVersionAndKindAreOptionalCheckedAndWritten() throws {
        let body = "name: a\nmodel: {type: linear}\ndata: {format: synthetic, weights: [1]}\n"
        let plain = try JobSpecParser.parse(yaml: body)
        #expect(try JobSpecParser.parse(yaml: "apiVersion: tessera.dev/v1\nkind: TrainingJob\n" + body) == plain)
        #expect(plain.yaml.hasPrefix("apiVersion: tessera.dev/v1\nkind: TrainingJob\nname: "))
        #expect(try JobSpecParser.parse(yaml: plain.yaml) == plain)
        #expect(throws: SpecError(
            "unsupported version \"tessera.dev/v2\"; this Tessera reads tessera.dev/v1 (or no apiVersion)", path: "apiVersion")
        ) { try JobSpecParser.parse(yaml: "apiVersion: tessera.dev/v2\n" + body) }
        #expect(throws: SpecError("unsupported kind \"Study\"; expected TrainingJob (or no kind)", path: "kind")) {
            try JobSpecParser.parse(yaml: "kind: Study\n" + body)
        }
    }

    /// check-jsonschema from scripts/check-schema's venv (or PATH); nil when neither has it.
    static let validator: String? = {
        let venv = packageRoot().appendingPathComponent(".venv-schema/bin/check-jsonschema").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/check-jsonschema"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    static let good = "name: ok\nmodel: {type: logistic}\ndata: {format: csv, train: d.csv, label: y, batch_size: 64}\n"
    /// Specs the parser refuses, with what each breaks.
    static let bad: [(String, String)] = [
        ("unknown key", "name: a\nmodel: {type: linear}\ndata: {format: synthetic, weights: [1], batchsize: 3}\n"),
        ("batch_size over the bound", "name: a\nmodel: {type: linear}\ndata: {format: csv, train: d.csv, label: y, batch_size: 70000}\n"),
        ("batch_size 0", "name: a\nmodel: {type: linear}\ndata: {format: csv, train: d.csv, label: y, batch_size: 0}\n"),
        ("wrong enum word", "name: a\nmodel: {type: linear}\ndata: {format: synthetic, weights: [1]}\noptimizer: {type: adamw}\n"),
        ("async-only key in sync mode", "name: a\nmodel: {type: linear}\ndata: {format: synthetic, weights: [1]}\ntraining: {mode: sync, max_staleness: 2}\n"),
        ("unknown apiVersion", "apiVersion: tessera.dev/v9\nname: a\nmodel: {type: linear}\ndata: {format: synthetic, weights: [1]}\n"),
        ("a stream and a train file", "name: a\nmodel: {type: linear}\ndata: {format: csv, label: y, train: d.csv, stream: {dir: s}}\n"),
        ("a stream without its dir", "name: a\nmodel: {type: linear}\ndata: {format: csv, label: y, stream: {pattern: '*.csv'}}\n"),
        ("a stream poll under 10 ms", "name: a\nmodel: {type: linear}\ndata: {format: csv, label: y, stream: {dir: s, poll_ms: 1}}\n"),
    ]

    @Test(.enabled(if: validator != nil, "check-jsonschema not installed (scripts/check-schema --install makes .venv-schema)"))
    func schemaRefusesWhatTheParserRefuses() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func validates(_ yaml: String, _ name: String) throws -> Bool {
            let file = dir.appendingPathComponent("\(name).yaml")
            try yaml.write(to: file, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(Self.validator))
            process.arguments = ["--schemafile", Self.schemaURL.path, file.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
        _ = try JobSpecParser.parse(yaml: Self.good)
        #expect(try validates(Self.good, "good"))
        for (i, (what, yaml)) in Self.bad.enumerated() {
            #expect(throws: SpecError.self, "parser: \(what)") { try JobSpecParser.parse(yaml: yaml) }
            #expect(try !validates(yaml, "bad\(i)"), "schema accepted: \(what)")
        }
    }
}
