import Coordinator
import Foundation
import FuzzSupport

/// One fuzz input through `JobSpecParser.parse(yaml:)` (YAML, mapping, validation); a spec that
/// parses must print (`JobSpec.yaml`) to YAML that parses back to the same spec.
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
    }

    /// The seed corpus is the committed examples/*.yaml plus Tests/FuzzCorpus/jobspec; nothing to generate.
    static func writeSeeds(to directory: String) throws -> Int { 0 }

    #if FUZZING
    /// The C callback handed to libFuzzer.
    static let fuzzerCallback: FuzzerDriver.Callback = { data, size in
        fuzz(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
    #endif
}

#if FUZZING
/// libFuzzer's per-input entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    JobSpecFuzzer.fuzzerCallback(data, size)
}
#endif
