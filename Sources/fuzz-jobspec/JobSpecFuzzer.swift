import ClusterAPI
import ClusterRuntime
import Foundation
import FuzzSupport
import JobSpec

/// One fuzz input through `JobSpecParser.parse(yaml:)` (YAML, mapping, bounds, validation); a spec that parses must
/// print (`JobSpec.yaml`) to YAML that parses back to the same spec, render to protobuf (`JobSpec.proto`, what
/// ListJobs/GetJob/GetTask send) and back (`JobSpec(proto:)`) to the same spec, and survive the protobuf bytes.
enum JobSpecFuzzer {
    /// Fuzz body: returns normally for every input; a trap or failed invariant is a finding.
    static func fuzz(_ input: [UInt8]) {
        guard input.count <= 1 << 16 else { return }
        let text = String(decoding: input, as: UTF8.self)
        guard let spec = try? JobSpecParser.parse(yaml: text) else { return }
        let again: JobSpec
        do {
            again = try JobSpecParser.parse(yaml: spec.yaml)
        } catch {
            fatalError("a parsed spec printed YAML that does not parse: \(error)\n\(spec.yaml)")
        }
        precondition(again == spec, "a parsed spec did not round-trip through its YAML:\n\(spec.yaml)")
        checkProtoRoundTrip(spec)
    }

    /// spec → proto → bytes → proto → spec gives the spec back (an empty `hidden` of cnn/wide_deep reads back as
    /// the family's default: protobuf cannot tell an empty list from none).
    static func checkProtoRoundTrip(_ spec: JobSpec) {
        let proto = spec.proto
        let decoded: Tessera_V1_JobSpec
        do {
            decoded = try Tessera_V1_JobSpec(serializedBytes: try proto.serializedBytes() as [UInt8])
        } catch {
            fatalError("a rendered spec's protobuf bytes do not decode: \(error)\n\(spec.yaml)")
        }
        precondition(decoded == proto, "a rendered spec changed through its protobuf bytes:\n\(spec.yaml)")
        let back: JobSpec
        do {
            back = try JobSpec(proto: decoded)
        } catch {
            fatalError("a parsed spec rendered to a proto that does not read back: \(error)\n\(spec.yaml)")
        }
        var expected = spec
        if expected.model.hidden.isEmpty { expected.model.hidden = ModelSpec.defaultHidden(for: spec.model.type) }
        precondition(back == expected, "a parsed spec did not round-trip through protobuf:\n\(spec.yaml)\n---\n\(back.yaml)")
    }

    /// The seed corpus is the committed examples/*.yaml plus Tests/FuzzCorpus/jobspec; nothing to generate.
    static func writeSeeds(to directory: String) throws -> Int { 0 }
}
