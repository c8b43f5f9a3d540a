import ClusterRuntime
import Foundation
import Logging
import ParameterStore
import Testing
import TensorWire

/// Counts a channel's answers and their largest size.
private final class CountingChannel: DataPlaneChannel, @unchecked Sendable {
    let inner: any DataPlaneChannel
    private let lock = NSLock()
    private var sizes: [Int] = []
    init(_ inner: any DataPlaneChannel) { self.inner = inner }
    func exchange(_ method: DataPlaneMethod, request: [UInt8], timeout: Duration) async throws -> [UInt8] {
        let answer = try await inner.exchange(method, request: request, timeout: timeout)
        lock.withLock { sizes.append(answer.count) }
        return answer
    }
    func close() { inner.close() }
    var answers: [Int] { lock.withLock { sizes } }
}

/// A worker whose whole pull would pass the shard's max_answer_bytes gets the same values in chunks: the shard refuses
/// the whole answer (before reading anything) and the client asks again in messages within its chunk limit.
@Suite(.serialized) struct AnswerLimitClientTests {
    @Test(arguments: [DataPlaneKind.native, .grpc])
    func aPullOverTheAnswerLimitArrivesInChunks(_ kind: DataPlaneKind) async throws {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-answers-\(UUID().uuidString)").path
        var config = ParameterServerConfig(listen: HostPort(host: "127.0.0.1", port: 0), dataDir: dir, coordinator: nil, name: "ps-answers")
        config.limits.maxAnswerBytes = 4 << 20
        let daemon = try ParameterServerDaemon(config: config, logger: logger)
        let control = try await daemon.start()
        guard let data = try await daemon.dataAddress() else { throw RuntimeFailure(.unavailable, "native listener did not start") }
        // Three partitions of 1.5 MB: each within the 2 MiB chunk limit, 4.5 MB together — over the 4 MiB answer limit.
        let variables = (0..<3).map { VariableSpec(name: "w\($0)", shape: Shape([375, 1000]), initializer: .uniform(low: -1, high: 1)) }
        try daemon.shard.createJob(
            jobID: 1, partitions: variables.enumerated().map { PartitionSpec.whole(variableID: UInt32($0.offset), variable: $0.element, seed: 7) },
            optimizer: .sgd(0.1), consistency: .async)
        let routes = variables.enumerated().map { i, v -> PartitionRoute in
            return PartitionRoute(variableID: UInt32(i), partition: 0, variableIndex: i, elementOffset: 0, shape: v.shape)
        }
        let counting = LockedChannel()
        let client = try ParameterClient(jobID: 1, workerID: 0, routes: [(kind == .native ? data : control, routes)]) {
            let channel = CountingChannel(try DataPlaneChannels.make(kind, address: $0))
            counting.channel = channel
            return channel
        }
        let buffers = variables.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: $0.shape.elementCount) }
        defer { for b in buffers { b.deallocate() } }
        for b in buffers { b.initialize(repeating: .nan) }
        _ = try await client.pull(into: VariableBuffers(buffers))
        for (i, b) in buffers.enumerated() {
            let held = try daemon.shard.read(jobID: 1, keys: [PartitionKey(variableID: UInt32(i), partition: 0)]) { _, v in Array(v[0]) }
            #expect(Array(b) == held, "variable \(i)")
        }
        let answers = try #require(counting.channel).answers
        #expect(answers.count >= 3 && answers.allSatisfy { $0 <= (2 << 20) + 4096 }, "pulled in chunks: \(answers)")
        client.close()
        await daemon.stop()
    }

    /// A push-and-pull over real sockets: job 1's three 1.5 MB partitions (4.5 MB of answer, over the shard's 4 MiB
    /// limit) are refused with nothing applied and go as a plain push and a chunked pull; job 2's small partitions come
    /// back in the push's own answer. Either way the worker ends with the shard's values after exactly one apply.
    @Test(arguments: [DataPlaneKind.native, .grpc])
    func aPushAndPullAnswersTheAppliedValuesOrFallsBackOverTheAnswerLimit(_ kind: DataPlaneKind) async throws {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-answers-\(UUID().uuidString)").path
        var config = ParameterServerConfig(listen: HostPort(host: "127.0.0.1", port: 0), dataDir: dir, coordinator: nil, name: "ps-answers")
        config.limits.maxAnswerBytes = 4 << 20
        let daemon = try ParameterServerDaemon(config: config, logger: logger)
        let control = try await daemon.start()
        guard let data = try await daemon.dataAddress() else { throw RuntimeFailure(.unavailable, "native listener did not start") }
        let jobs: [(id: UInt64, variables: [VariableSpec], answers: ClosedRange<Int>)] = [
            (1, (0..<3).map { VariableSpec(name: "w\($0)", shape: Shape([375, 1000]), initializer: .uniform(low: -1, high: 1)) }, 4...64),
            (2, [VariableSpec(name: "w", shape: Shape([20, 50]), initializer: .uniform(low: -1, high: 1)), VariableSpec(name: "b", shape: Shape([50]))], 1...1),
        ]
        for job in jobs {
            try daemon.shard.createJob(
                jobID: job.id, partitions: job.variables.enumerated().map { PartitionSpec.whole(variableID: UInt32($0.offset), variable: $0.element, seed: 7) },
                optimizer: .sgd(0.5), consistency: .async)
            let routes = job.variables.enumerated().map { i, v in
                PartitionRoute(variableID: UInt32(i), partition: 0, variableIndex: i, elementOffset: 0, shape: v.shape)
            }
            let counting = LockedChannel()
            let client = try ParameterClient(jobID: job.id, workerID: 0, routes: [(kind == .native ? data : control, routes)]) {
                let channel = CountingChannel(try DataPlaneChannels.make(kind, address: $0))
                counting.channel = channel
                return channel
            }
            let parameters = job.variables.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: $0.shape.elementCount) }
            let gradients = job.variables.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: $0.shape.elementCount) }
            defer { for b in parameters + gradients { b.deallocate() } }
            for b in parameters { b.initialize(repeating: .nan) }
            for b in gradients { b.initialize(repeating: 1) }
            let (summary, versions) = try await client.pushAndPull(VariableBuffers(gradients), versions: [0], into: VariableBuffers(parameters))
            #expect(summary.accepted == 1 && versions == [1], "job \(job.id): applied once")
            #expect(try daemon.shard.version(jobID: job.id) == 1)
            for (i, b) in parameters.enumerated() {
                let held = try daemon.shard.read(jobID: job.id, keys: [PartitionKey(variableID: UInt32(i), partition: 0)]) { _, v in Array(v[0]) }
                #expect(Array(b) == held, "job \(job.id) variable \(i)")
            }
            let answers = try #require(counting.channel).answers
            #expect(job.answers.contains(answers.count), "job \(job.id): answers \(answers)")
            client.close()
        }
        await daemon.stop()
    }
}

private final class LockedChannel: @unchecked Sendable {
    private let lock = NSLock()
    private var value: CountingChannel?
    var channel: CountingChannel? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
