import Foundation
import Testing

@testable import Coordinator

/// The package root, found from this file's path (Tests/CoordinatorTests/ExamplesTests.swift).
func packageRoot(_ file: String = #filePath) -> URL {
    URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

@Suite struct ExamplesTests {
    static func exampleFiles() -> [String] {
        let dir = packageRoot().appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
    }

    @Test func thereAreExamples() {
        #expect(Self.exampleFiles().contains("linear-hello.yaml"))
        #expect(Self.exampleFiles().contains("cancer-logistic.yaml"))
    }

    @Test(arguments: exampleFiles())
    func everyExampleParsesAndRoundTrips(_ name: String) throws {
        let url = packageRoot().appendingPathComponent("examples").appendingPathComponent(name)
        let spec = try JobSpecParser.parse(yaml: String(contentsOf: url, encoding: .utf8))
        #expect(try JobSpecParser.parse(yaml: spec.yaml) == spec)
    }

    @Test func linearHelloIsTheDocumentedJob() throws {
        let url = packageRoot().appendingPathComponent("examples/linear-hello.yaml")
        let spec = try JobSpecParser.parse(yaml: String(contentsOf: url, encoding: .utf8))
        #expect(spec.model.type == .linear)
        #expect(spec.data.format == .synthetic)
        #expect(spec.data.weights == [2])
        #expect(spec.data.bias == 10)
        #expect(spec.training.mode == .async)
        #expect(spec.cluster == ClusterSpec(workers: 2, psShards: 2))
    }

    @Test func cancerLogisticIsTheDocumentedJob() throws {
        let url = packageRoot().appendingPathComponent("examples/cancer-logistic.yaml")
        let spec = try JobSpecParser.parse(yaml: String(contentsOf: url, encoding: .utf8))
        #expect(spec.model.type == .logistic)
        #expect(spec.data.format == .csv)
        #expect(spec.data.label == "target")
        #expect(spec.data.testFraction == 0.3)
        #expect(spec.data.normalize == .standard)
        #expect(spec.data.batchSize == 32)
        #expect(spec.training.stopAt == nil)
        #expect(spec.cluster == ClusterSpec(workers: 2, psShards: 2))
    }

    @Test func docsExamplesParse() throws {
        // Every ```yaml block in docs/job-spec.md that starts with "name:" is a complete, valid job.
        let url = packageRoot().appendingPathComponent("docs/job-spec.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        let jobs = blocks.filter { $0.hasPrefix("name:") }
        #expect(jobs.count >= 2)
        for block in jobs { _ = try JobSpecParser.parse(yaml: block) }
    }
}
