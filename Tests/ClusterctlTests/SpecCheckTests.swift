import ClusterPresentation
import ClusterRuntime
import Foundation
import Testing

/// `validate` / `submit --dry-run`: the coordinator's parser, errors with key paths, and a bounded read.
struct SpecCheckTests {
    static let valid = "name: linear\nmodel: {type: linear}\ndata: {format: synthetic, samples: 100, weights: [2.0], bias: 1}\n"

    @Test func aValidSpecPrintsItsNameAndTheResolvedSpec() {
        let check = SpecCheck(file: "job.yaml", yaml: Self.valid)
        #expect(check.valid && check.errors.isEmpty && check.name == "linear")
        #expect(check.resolved?.contains("learning_rate:") == true)
        #expect(check.text == "job.yaml: valid (name linear)")
        #expect(check.outputNames == ["linear"])
    }

    @Test func anInvalidSpecNamesTheKeyPath() {
        let check = SpecCheck(file: "-", yaml: Self.valid + "optimizer: {type: sgd, learning_rate: -1}\n")
        #expect(!check.valid && check.name == nil && check.resolved == nil)
        #expect(check.errors.map(\.path) == ["optimizer.learning_rate"])
        #expect(check.text.hasPrefix("standard input: optimizer.learning_rate: "))
        let unknown = SpecCheck(file: "j.yaml", yaml: Self.valid + "trainig: {}\n")
        #expect(unknown.errors.first?.path == "trainig")
        let broken = SpecCheck(file: "j.yaml", yaml: "name: [")
        #expect(broken.errors.first?.path == "" && broken.text.hasPrefix("j.yaml: invalid YAML"))
        let json = JSONText.render(check)
        #expect(json.contains("\"name\" : null") && json.contains("\"resolved\" : null") && json.contains("\"valid\" : false"))
    }

    @Test func specFilesAreReadUpToTheCoordinatorsLimit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ok = dir.appendingPathComponent("ok.yaml").path
        try Self.valid.write(toFile: ok, atomically: true, encoding: .utf8)
        #expect(try SpecInput.read(ok) == Self.valid)
        let huge = dir.appendingPathComponent("huge.yaml").path
        FileManager.default.createFile(atPath: huge, contents: Data(repeating: UInt8(ascii: "#"), count: SpecInput.maxBytes + 1))
        do {
            _ = try SpecInput.read(huge)
            Issue.record("a spec over the limit was read")
        } catch {
            #expect(error.message.contains("larger than \(SpecInput.maxBytes) bytes"))
        }
        let binary = dir.appendingPathComponent("bin.yaml").path
        FileManager.default.createFile(atPath: binary, contents: Data([0xFF, 0xFE, 0x00]))
        #expect(throws: RuntimeFailure.self) { try SpecInput.read(binary) }
        #expect(throws: RuntimeFailure.self) { try SpecInput.read(dir.path) }
        #expect(throws: RuntimeFailure.self) { try SpecInput.read(dir.appendingPathComponent("absent.yaml").path) }
    }
}
