import ClusterPresentation
import Foundation
import Testing

/// Every JSON example in docs/clusterctl.md is exactly what clusterctl's own types print: it decodes into them and
/// renders back to the same object (same keys, nulls and values), so the documentation cannot drift from the code.
struct DocumentedJSONTests {
    @Test func everyExampleDecodesAndPrintsBackUnchanged() throws {
        let examples = try DocumentedContract.examples()
        #expect(Set(examples.keys) == ["describe", "jobs", "nodes", "status", "checkpoint", "pull", "export", "validate", "get-contexts", "config-view", "study"])
        func roundTrip<T: Codable>(_ name: String, _ type: T.Type) throws {
            let text = try #require(examples[name]?.json, "no example \(name)")
            let decoded = try JSONDecoder().decode(T.self, from: Data(text.utf8))
            #expect(try canonical(JSONText.render(decoded)) == canonical(text), "\(name): the example is not what clusterctl prints for it")
        }
        try roundTrip("describe", JobSummary.self)
        try roundTrip("jobs", [JobSummary].self)
        try roundTrip("nodes", [NodeSummary].self)
        try roundTrip("status", ClusterSummary.self)
        try roundTrip("checkpoint", CheckpointSummary.self)
        try roundTrip("pull", [VariableValues].self)
        try roundTrip("export", ExportSummary.self)
        try roundTrip("validate", SpecCheck.self)
        try roundTrip("get-contexts", [ContextSummary].self)
        try roundTrip("config-view", ConnectionSettings.self)
        try roundTrip("study", StudySummary.self)
    }

    /// JSON text parsed and printed again with sorted keys: equal for equal objects.
    func canonical(_ text: String) throws -> Data {
        try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: Data(text.utf8)), options: [.sortedKeys])
    }
}

/// The `<!-- contract: NAME[; optional: k1, k2] -->` blocks of docs/clusterctl.md.
enum DocumentedContract {
    struct Example {
        var json: String
        var optional: Set<String>
    }

    static func examples() throws -> [String: Example] {
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/clusterctl.md")
        let lines = try String(contentsOf: doc, encoding: .utf8).components(separatedBy: "\n")
        var examples: [String: Example] = [:]
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard line.hasPrefix("<!-- contract: "), line.hasSuffix(" -->") else { continue }
            let fields = line.dropFirst("<!-- contract: ".count).dropLast(" -->".count).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let optional = fields.dropFirst().first { $0.hasPrefix("optional:") }.map {
                Set($0.dropFirst("optional:".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            } ?? []
            guard index < lines.count, lines[index] == "```json" else { continue }
            var body: [String] = []
            index += 1
            while index < lines.count, lines[index] != "```" {
                body.append(lines[index])
                index += 1
            }
            examples[fields[0]] = Example(json: body.joined(separator: "\n"), optional: optional)
        }
        return examples
    }
}
