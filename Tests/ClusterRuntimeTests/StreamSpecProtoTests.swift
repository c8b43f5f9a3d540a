import ClusterAPI
import JobSpec
import SwiftProtobuf
import Testing

@testable import ClusterRuntime

/// `data.stream` as it arrives over gRPC (SubmitJob, GetTask): it survives the trip, and hostile numbers and strings
/// in the protobuf are refused naming the key, like the same values in YAML.
@Suite struct StreamSpecProtoTests {
    static func proto(_ edit: (inout Tessera_V1_StreamSpec) -> Void) throws -> Tessera_V1_JobSpec {
        var spec = try JobSpecParser.parse(yaml: """
            name: s
            model: {type: logistic}
            data: {format: csv, label: y, stream: {dir: events, pattern: 'part-*.csv', poll_ms: 50, eval_window: 300}}
            training: {mode: sync}
            """).proto
        edit(&spec.data.stream)
        return spec
    }

    @Test func aStreamSpecCrossesTheWireUnchanged() throws {
        let spec = try JobSpec(proto: Tessera_V1_JobSpec(serializedBytes: try Self.proto { _ in }.serializedBytes() as [UInt8]))
        #expect(spec.data.stream == StreamSpec(dir: "events", pattern: "part-*.csv", pollMs: 50, evalWindow: 300))
        #expect(spec.training.epochs == nil && spec.training.maxSteps == nil, "no epoch filled in for a stream")
    }

    @Test(arguments: [
        ("poll_ms Int32.min", "data.stream.poll_ms"), ("poll_ms Int32.max", "data.stream.poll_ms"),
        ("eval_window Int32.min", "data.stream.eval_window"), ("eval_window Int32.max", "data.stream.eval_window"),
        ("empty dir", "data.stream.dir"), ("pattern with a slash", "data.stream.pattern"), ("pattern with NUL", "data.stream.pattern"),
    ])
    func hostileStreamFieldsAreRefusedNamingTheKey(_ what: String, _ path: String) throws {
        let proto = try Self.proto { s in
            switch what {
            case "poll_ms Int32.min": s.pollMs = .min
            case "poll_ms Int32.max": s.pollMs = .max
            case "eval_window Int32.min": s.evalWindow = .min
            case "eval_window Int32.max": s.evalWindow = .max
            case "empty dir": s.dir = ""
            case "pattern with a slash": s.pattern = "../*"
            default: s.pattern = "a\u{0}b"
            }
        }
        do {
            _ = try JobSpec(proto: proto)
            Issue.record("accepted a stream with \(what)")
        } catch let error as SpecError {
            #expect(error.path == path, "\(what): \(error)")
        }
    }
}
