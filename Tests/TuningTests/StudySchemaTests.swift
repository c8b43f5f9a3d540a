import Foundation
import JobSpec
import Testing

@testable import Tuning

/// The JSON Schema of studies: the job spec's schema embedded, `tuning:` generated from `StudyFields` and
/// `TuningLimits`, committed in sync, and refusing what the parser refuses.
@Suite struct StudySchemaTests {
    static let schemaURL = repositoryRoot().appendingPathComponent(StudySpec.schemaPath)
    static let jobSchemaURL = repositoryRoot().appendingPathComponent(JobSpec.schemaPath)

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func member(_ node: [String: Any], _ path: [String]) throws -> [String: Any] {
        var node = node
        for key in path { node = try #require(node[key] as? [String: Any], "no \(key) in \(path)") }
        return node
    }

    /// A parsed JSON value printed with sorted keys, to compare two values.
    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func committedSchemaIsTheGeneratedOne() throws {
        let committed = try String(contentsOf: Self.schemaURL, encoding: .utf8)
        #expect(
            committed == StudySpec.jsonSchema,
            "\(StudySpec.schemaPath) differs from what the Tuning module generates: run scripts/gen-schema and commit it")
    }

    @Test func theJobSpecPartIsTheJobSpecSchema() throws {
        let study = try Self.object(StudySpec.jsonSchema)
        let job = try Self.object(JobSpec.jsonSchema)
        let studyProps = try Self.member(study, ["properties"])
        let jobProps = try Self.member(job, ["properties"])
        #expect(Set(studyProps.keys) == Set(jobProps.keys).union(["tuning"]))
        for (key, schema) in jobProps where key != "kind" {
            #expect(try Self.canonical(try #require(studyProps[key])) == Self.canonical(schema), "\(key)")
        }
        #expect(try Self.canonical(try #require(study["allOf"])) == Self.canonical(try #require(job["allOf"])))
        #expect(study["additionalProperties"] as? Bool == false)
        #expect((study["required"] as? [String])?.contains("tuning") == true)
        #expect(try Self.member(studyProps, ["kind"])["enum"] as? [String] == [StudySpec.kind])
        // A job spec stays a job spec: its schema has no tuning and refuses other keys.
        #expect(jobProps["tuning"] == nil && job["additionalProperties"] as? Bool == false)
    }

    @Test func everyKeyTheParserAllowsIsDescribedAndNoOther() throws {
        let tuning = try Self.member(try Self.object(StudySpec.jsonSchema), ["properties", "tuning"])
        let props = try Self.member(tuning, ["properties"])
        #expect(Set(props.keys) == Set(StudySpecParser.tuningKeys))
        #expect(Set(try Self.member(props, ["tpe", "properties"]).keys) == Set(StudySpecParser.tpeKeys))
        #expect(Set(try Self.member(props, ["params", "items", "properties"]).keys) == Set(StudySpecParser.paramKeys))
        let stopping = try #require(try Self.member(props, ["early_stopping"])["anyOf"] as? [[String: Any]])
        #expect(Set(try Self.member(try #require(stopping.last), ["properties"]).keys) == Set(StudySpecParser.stoppingKeys))
        #expect(tuning["additionalProperties"] as? Bool == false)
    }

    @Test func boundsAndWordsComeFromTheModule() throws {
        let props = try Self.member(try Self.object(StudySpec.jsonSchema), ["properties", "tuning", "properties"])
        for (key, bound) in [("max_trials", TuningLimits.maxTrials), ("max_parallel_trials", TuningLimits.maxParallelTrials), ("seed", TuningLimits.seed)] {
            let p = try Self.member(props, [key])
            #expect(p["minimum"] as? Int == bound.lower && p["maximum"] as? Int == bound.upper, "\(key)")
        }
        #expect(try Self.member(props, ["max_parallel_trials"])["default"] as? Int == StudyFields.defaultParallelTrials)
        #expect(try Self.member(props, ["goal"])["enum"] as? [String] == Goal.allCases.map(\.rawValue))
        let algorithms = try #require(try Self.member(props, ["algorithm"])["enum"] as? [Any])
        #expect(algorithms.compactMap { $0 as? String } == AlgorithmKind.allCases.map(\.rawValue))
        let param = try Self.member(props, ["params", "items", "properties"])
        #expect(try Self.member(param, ["type"])["enum"] as? [String] == ParamType.allCases.map(\.rawValue))
        #expect((try Self.member(param, ["scale"])["enum"] as? [Any])?.compactMap { $0 as? String } == ParamScale.allCases.map(\.rawValue))
        #expect(try Self.member(param, ["grid_points"])["maximum"] as? Int == TuningLimits.gridPoints.upper)
        #expect(try Self.member(props, ["params"])["maxItems"] as? Int == TuningLimits.params.upper)
    }

    @Test func paramKeysAreTheTunableJobSpecKeys() throws {
        let keys = StudySchema.tunableKeys
        #expect(keys.scalars.contains("optimizer.learning_rate") && keys.lists.contains("model.hidden"))
        for key in keys.scalars { #expect(throws: Never.self, "\(key)") { _ = try ParamKey(key, at: "k") } }
        for key in keys.lists { #expect(throws: Never.self, "\(key)") { _ = try ParamKey(key + "[0]", at: "k") } }
        #expect(!keys.scalars.contains("name") && !keys.scalars.contains("kind") && !keys.scalars.contains("optimizer"))
    }

    @Test func exampleStudiesNameTheirSchemaForEditors() throws {
        let examples = repositoryRoot().appendingPathComponent("examples/studies")
        for file in try FileManager.default.contentsOfDirectory(at: examples, includingPropertiesForKeys: nil) where file.pathExtension == "yaml" {
            let first = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").first.map(String.init) ?? ""
            let prefix = "# yaml-language-server: $schema="
            #expect(first.hasPrefix(prefix), "\(file.lastPathComponent)")
            let target = examples.appendingPathComponent(String(first.dropFirst(prefix.count))).standardized
            #expect(target.path == Self.schemaURL.standardized.path, "\(file.lastPathComponent) names \(target.path)")
        }
    }

    /// check-jsonschema from scripts/check-schema's venv (or PATH); nil when neither has it.
    static let validator: String? = {
        let venv = repositoryRoot().appendingPathComponent(".venv-schema/bin/check-jsonschema").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/check-jsonschema"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    static let tuning = """
        goal: maximize
        metric: accuracy
        max_trials: 8
        params:
          - {key: optimizer.learning_rate, type: double, min: 0.001, max: 0.1, scale: log}
        """

    /// Studies the parser refuses, with what each breaks.
    static let bad: [(String, String)] = [
        ("unknown key under tuning", studyYAML(tuning + "\nmax_trails: 3")),
        ("max_trials 0", studyYAML(tuning.replacingOccurrences(of: "max_trials: 8", with: "max_trials: 0"))),
        ("max_parallel_trials over the bound", studyYAML(tuning + "\nmax_parallel_trials: 65")),
        ("bad goal word", studyYAML(tuning.replacingOccurrences(of: "maximize", with: "maximise"))),
        ("bad algorithm word", studyYAML(tuning + "\nalgorithm: bayes")),
        ("bad param type", studyYAML(tuning.replacingOccurrences(of: "type: double", with: "type: float"))),
        ("bad scale", studyYAML(tuning.replacingOccurrences(of: "scale: log", with: "scale: log10"))),
        ("unknown key in a param", studyYAML(tuning.replacingOccurrences(of: "scale: log", with: "scale: log, step: 2"))),
        ("a key the job spec lacks", studyYAML(tuning.replacingOccurrences(of: "optimizer.learning_rate", with: "optimizer.lr"))),
        ("values on a range param", studyYAML(tuning.replacingOccurrences(of: "scale: log", with: "values: [1]"))),
        ("a categorical param without values", studyYAML(tuning.replacingOccurrences(of: "type: double, min: 0.001, max: 0.1, scale: log", with: "type: categorical"))),
        ("log scale from 0", studyYAML(tuning.replacingOccurrences(of: "min: 0.001", with: "min: 0"))),
        ("tpe settings with random search", studyYAML(tuning + "\nalgorithm: random\ntpe: {startup_trials: 3}")),
        ("gamma 1", studyYAML(tuning + "\ntpe: {gamma: 1}")),
        ("an unknown stopping rule", studyYAML(tuning + "\nearly_stopping: {rule: hyperband, min_steps: 10}")),
        ("median without min_steps", studyYAML(tuning + "\nearly_stopping: {rule: median}")),
        ("reduction_factor with the median rule", studyYAML(tuning + "\nearly_stopping: {rule: median, min_steps: 10, reduction_factor: 3}")),
        ("kind TrainingJob", "kind: TrainingJob\n" + studyYAML(tuning)),
        ("a job spec without tuning", "kind: Study\n" + baseSpec),
        ("a bad job spec part", studyYAML(tuning, base: baseSpec.replacingOccurrences(of: "type: sgd", with: "type: adamw"))),
    ]

    @Test(.enabled(if: validator != nil, "check-jsonschema not installed (scripts/check-schema --install makes .venv-schema)"))
    func schemaAcceptsTheExamplesAndRefusesWhatTheParserRefuses() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-study-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func validates(_ file: URL, against schema: URL = Self.schemaURL) throws -> Bool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(Self.validator))
            process.arguments = ["--schemafile", schema.path, file.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
        func write(_ yaml: String, _ name: String) throws -> URL {
            let file = dir.appendingPathComponent("\(name).yaml")
            try yaml.write(to: file, atomically: true, encoding: .utf8)
            return file
        }
        let examples = repositoryRoot().appendingPathComponent("examples/studies")
        let files = try FileManager.default.contentsOfDirectory(at: examples, includingPropertiesForKeys: nil).filter { $0.pathExtension == "yaml" }
        #expect(!files.isEmpty)
        for file in files {
            #expect(parseError(try String(contentsOf: file, encoding: .utf8)) == nil, "parser: \(file.lastPathComponent)")
            #expect(try validates(file), "schema refused \(file.lastPathComponent)")
            #expect(try !validates(file, against: Self.jobSchemaURL), "the job-spec schema accepted the study \(file.lastPathComponent)")
        }
        let good = studyYAML(Self.tuning + "\nalgorithm: grid\nearly_stopping: none\nseed: 3")
        #expect(parseError(good) == nil)
        #expect(try validates(try write(good, "good")))
        for (i, (what, yaml)) in Self.bad.enumerated() {
            #expect(parseError(yaml) != nil, "parser accepted: \(what)")
            #expect(try !validates(try write(yaml, "bad\(i)")), "schema accepted: \(what)")
        }
    }
}
