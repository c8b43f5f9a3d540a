import DataPlane
import Foundation
import Logging
import ParameterStore
import Testing
import TensorWire

/// `DataPlaneHandler.handleAtOnce` (what the native transport serves on its event loop) answers exactly what
/// `handle` answers, and declines, doing nothing, whatever would have to wait: a pull for a version not reached yet,
/// a push to a paused job, a sparse pull, a request over the limit.
struct HandleAtOnceTests {
    static let jobID: UInt64 = 5

    /// A shard holding job 5: w[8] = 0, SGD with learning rate 1, in `consistency` mode.
    func handler(_ consistency: ConsistencyConfig) throws -> (DataPlaneHandler, ParameterShard) {
        let logger = Logger(label: "at-once") { _ in SwiftLogNoOpLogHandler() }
        let shard = ParameterShard(logger: logger)
        try shard.createJob(
            jobID: Self.jobID, partitions: [PartitionSpec.whole(variableID: 0, variable: VariableSpec(name: "w", shape: Shape([8]), initializer: .zeros), seed: 1)],
            optimizer: .sgd(1), consistency: consistency)
        return (DataPlaneHandler(shard: shard, logger: logger), shard)
    }

    func pullFrame(version: UInt64) -> [UInt8] {
        WireFormat.encode(WireFrame(
            header: FrameHeader(kind: .pullRequest, requestID: 1, jobID: Self.jobID, senderID: 1),
            entries: [WireEntry(header: .empty(variableID: 0, partition: 0, version: version), rowKeys: [], payload: [])]))
    }

    func pushFrame(version: UInt64, value: Float = 0.5) -> [UInt8] {
        let values = [Float](repeating: value, count: 8)
        return values.withUnsafeBufferPointer { floats in
            WireFormat.encode(WireFrame(
                header: FrameHeader(kind: .pushRequest, requestID: 2, jobID: Self.jobID, senderID: 1),
                entries: [.dense(variableID: 0, partition: 0, version: version, shape: Shape([8]), floats: floats)]))
        }
    }

    /// Answers into an array, as the gRPC transport does.
    let toArray: AnswerWriter<[UInt8]> = { bytes, encode in
        try [UInt8](unsafeUninitializedCapacity: bytes) { out, count in count = try encode(UnsafeMutableRawBufferPointer(out)) }
    }

    func values(_ shard: ParameterShard) throws -> [Float] {
        try shard.read(jobID: Self.jobID, keys: [PartitionKey(variableID: 0, partition: 0)]) { _, buffers in Array(buffers[0]) }
    }

    @Test func answersWhatHandleAnswersWhenNothingMustWait() async throws {
        let (handler, shard) = try handler(.async)
        let atOnce = try #require(try handler.handleAtOnce(.push, request: pushFrame(version: 0), limit: 1 << 20, answer: toArray))
        let viaTask = try await handler.handle(.push, request: pushFrame(version: 0))
        for answer in [atOnce, viaTask] {
            #expect(try answer.withUnsafeBytes { try WireFormat.decodeView($0).header.status } == PushStatus.ok)
        }
        #expect(try values(shard) == [Float](repeating: -1, count: 8), "both pushes applied, once each")

        let pulledAtOnce = try #require(try handler.handleAtOnce(.pull, request: pullFrame(version: 0), limit: 1 << 20, answer: toArray))
        let pulled = try await handler.handle(.pull, request: pullFrame(version: 0))
        #expect(pulledAtOnce == pulled, "the same pull answer, byte for byte")
        let frame = try pulledAtOnce.withUnsafeBytes { try WireFormat.decode($0) }
        #expect(try frame.entries[0].floats() == [Float](repeating: -1, count: 8))
    }

    @Test func declinesWhatMustWaitAndChangesNothing() throws {
        let (handler, shard) = try handler(.sync(replicas: 1))
        // Version 1 is not there yet: a long-polling pull is left to `handle`.
        #expect(try handler.handleAtOnce(.pull, request: pullFrame(version: 1), limit: 1 << 20, answer: toArray) == nil)
        // Over the limit: left to `handle` (a long apply must not hold the event loop).
        #expect(try handler.handleAtOnce(.push, request: pushFrame(version: 0), limit: 16, answer: toArray) == nil)
        #expect(try values(shard) == [Float](repeating: 0, count: 8))
        // A paused job: pushes wait in `handle` until it resumes.
        try shard.setPaused(jobID: Self.jobID, for: .seconds(30))
        #expect(try handler.handleAtOnce(.push, request: pushFrame(version: 0), limit: 1 << 20, answer: toArray) == nil)
        #expect(try values(shard) == [Float](repeating: 0, count: 8))
        try shard.setPaused(jobID: Self.jobID, for: nil)
        // Unpaused, the push applies (sync N = 1) and the pull for version 1 is answered at once.
        #expect(try handler.handleAtOnce(.push, request: pushFrame(version: 0), limit: 1 << 20, answer: toArray) != nil)
        #expect(try handler.handleAtOnce(.pull, request: pullFrame(version: 1), limit: 1 << 20, answer: toArray) != nil)
        #expect(try values(shard) == [Float](repeating: -0.5, count: 8))
    }

    @Test func badRequestsGetTheSameErrorsAtOnce() throws {
        let (handler, shard) = try handler(.async)
        let error = #expect(throws: (any Error).self) {
            _ = try handler.handleAtOnce(.push, request: pushFrame(version: 0, value: .nan), limit: 1 << 20, answer: toArray)
        }
        #expect("\(error.map { String(describing: $0) } ?? "")".contains("NaN"), "\(String(describing: error))")
        #expect(try values(shard) == [Float](repeating: 0, count: 8), "a non-finite gradient changes nothing")
        #expect(throws: RuntimeFailure.self) {
            _ = try handler.handleAtOnce(.pull, request: [1, 2, 3], limit: 1 << 20, answer: toArray)
        }
    }
}
