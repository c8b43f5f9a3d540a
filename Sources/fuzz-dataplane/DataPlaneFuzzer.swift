import ClusterRuntime
import Foundation
import FuzzSupport
import ParameterStore
import TensorWire

/// One fuzz input as a data-plane request against a fresh `DataPlaneFixture` shard. The first byte chooses: bit 0 the
/// method (push, pull), bit 1 `handleAtOnce` (the native event loop's path) or `handle`, bit 2 whether the frame's
/// length and CRCs are repaired (so mutations reach the field checks), bit 3 whether its job id is also set to a
/// fixture job (bit 4: the sync one). The rest is the frame. Every outcome is fine except a trap, and afterwards the shard must
/// hold no admitted bytes and no waiting pull, and still serve a normal push and pull.
enum DataPlaneFuzzer {
    /// Fuzz body: returns normally for every input; a trap or failed invariant is a finding.
    static func fuzz(_ input: [UInt8]) {
        guard let selector = input.first, input.count <= 1 << 20 else { return }
        var frame = Array(input.dropFirst())
        if selector & 4 != 0 || selector & 8 != 0 {
            let job: UInt64? = selector & 8 == 0 ? nil : (selector & 16 == 0 ? DataPlaneFixture.asyncJob : DataPlaneFixture.syncJob)
            frame = FrameRepair.repaired(frame, jobID: job)
        }
        let method: DataPlaneMethod = selector & 1 == 0 ? .push : .pull
        let fixture = DataPlaneFixture()
        let handler = fixture.handler
        if selector & 2 != 0 {
            let request = frame
            _ = try? handler.handleAtOnce(method, request: request, limit: 1 << 20, answer: DataPlaneFixture.toArray)
        } else {
            let request = frame
            _ = DataPlaneFixture.blocking { try await handler.handle(method, request: request) }
        }
        checkStillServing(fixture)
    }

    /// The invariants after any input: nothing left admitted or waiting, and a normal push and pull of job 1 answered.
    static func checkStillServing(_ fixture: DataPlaneFixture) {
        let handler = fixture.handler
        precondition(handler.admission.stats.inFlightBytes == 0, "a request left \(handler.admission.stats.inFlightBytes) bytes admitted")
        precondition(handler.pendingPullCount == 0, "a request left \(handler.pendingPullCount) pulls counted as waiting")
        let version = (try? fixture.shard.version(jobID: DataPlaneFixture.asyncJob)) ?? 0
        let push = DataPlaneSeeds.densePush(job: DataPlaneFixture.asyncJob, version: version)
        let pull = DataPlaneSeeds.densePull(job: DataPlaneFixture.asyncJob, version: 0)
        let outcome = DataPlaneFixture.blocking { () async throws -> [UInt8] in
            _ = try await handler.handle(.push, request: push)
            return try await handler.handle(.pull, request: pull)
        }
        guard case .success(let answer) = outcome else {
            fatalError("after the input the shard no longer serves a normal push and pull: \(outcome)")
        }
        let decoded = answer.withUnsafeBytes { try? WireFormat.decodeView($0) }
        precondition(decoded?.entries.count == 4, "after the input a normal pull got a malformed answer")
    }

    /// Writes the seed inputs (valid frames of each kind, each behind every selector worth starting from); returns how many.
    static func writeSeeds(to directory: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written = 0
        for (name, method, frame) in DataPlaneSeeds.frames() {
            // handle and handleAtOnce; CRCs repaired after mutation (bit 2) and the job kept (bit 3 off).
            for atOnce: UInt8 in [0, 2] {
                let selector = (method == .pull ? 1 : 0) | atOnce | 4
                let path = (directory as NSString).appendingPathComponent("\(name)-\(atOnce == 0 ? "handle" : "atonce").bin")
                try Data([selector] + frame).write(to: URL(fileURLWithPath: path))
                written += 1
            }
        }
        return written
    }
}
