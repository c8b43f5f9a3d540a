import DataPlane
import ParameterStore
import TensorWire
import Testing

/// A worker's `ParameterClient` and real shards meet through in-memory channels (ps-lite's test, without sockets):
/// what the workers push is what a pull returns, the N-of-N+b rule holds across shards, and a refusal or a lost
/// shard reaches the worker as the error a socket would have carried.
@Suite struct InMemoryPushPullTests {
    /// Two variables on two shards, zeros to start: w [3, 4] on shard 0, b [5] on shard 1.
    static let variables = [VariableSpec(name: "w", shape: Shape([3, 4])), VariableSpec(name: "b", shape: Shape([5]))]

    /// Gradients of `-value` everywhere: with SGD at learning rate 1 every applied push adds `value`.
    static func gradients(_ value: Float) -> WorkerBuffers { WorkerBuffers(variables, fill: -value) }

    @Test func afterNPushesAPullReturnsNTimesTheValue() async throws {
        let shards = try InMemoryShards(count: 2, variables: Self.variables, optimizer: .sgd(1), consistency: ConsistencyConfig(mode: .async))
        let workers = 3, pushes = 7, value: Float = 2.5
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<workers {
                group.addTask {
                    let client = try shards.client(worker: UInt32(w))
                    defer { client.close() }
                    let gradients = Self.gradients(value)
                    for _ in 0..<pushes {
                        let summary = try await client.push(StepGradients(dense: gradients.buffers), versions: [0, 0])
                        #expect(summary.accepted == 2 && summary.stale == 0 && summary.duplicate == 0)
                    }
                }
            }
            try await group.waitForAll()
        }
        let reader = try shards.client(worker: 99)
        let pulled = WorkerBuffers(Self.variables)
        let versions = try await reader.pull(into: pulled.buffers)
        #expect(versions == [UInt64(workers * pushes), UInt64(workers * pushes)])
        for variable in pulled.values { #expect(variable.allSatisfy { $0 == Float(workers * pushes) * value }, "\(variable)") }
    }

    @Test func syncShardsApplyTheFirstNOfNPlusBGradientsEachVersion() async throws {
        // N = 2 of 3: every version applies the mean of two gradients; the third, late one is stale.
        let shards = try InMemoryShards(
            count: 2, variables: Self.variables, optimizer: .sgd(1), consistency: ConsistencyConfig(mode: .sync, replicasToAggregate: 2, backupWorkers: 1))
        let rounds = 6
        let clients = try (0..<3).map { try shards.client(worker: UInt32($0)) }
        defer { clients.forEach { $0.close() } }
        var accepted = 0, stale = 0
        for round in 0..<rounds {
            let version = UInt64(round)
            let summaries = try await withThrowingTaskGroup(of: PushSummary.self) { group in
                for (w, client) in clients.enumerated() {
                    group.addTask {
                        // Worker w pushes w + 1: whichever two arrive first, the version moves by their mean.
                        let gradients = Self.gradients(Float(w + 1))
                        return try await client.push(StepGradients(dense: gradients.buffers), versions: [version, version])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            accepted += summaries.map(\.accepted).reduce(0, +)
            stale += summaries.map(\.stale).reduce(0, +)
            #expect(try shards.versions() == [version + 1, version + 1])
        }
        #expect(accepted == rounds * 2 * 2, "each version takes N = 2 gradients on each of 2 shards")
        #expect(stale == rounds * 1 * 2, "the backup's gradient is dropped on each shard")
        // Every applied mean lies between the smallest (1 + 2) / 2 and the largest (2 + 3) / 2 step.
        let pulled = WorkerBuffers(Self.variables)
        try await clients[0].pull(into: pulled.buffers)
        for variable in pulled.values {
            #expect(variable.allSatisfy { $0 >= 1.5 * Float(rounds) && $0 <= 2.5 * Float(rounds) }, "\(variable)")
            #expect(Set(variable).count == 1, "one variable moved as one: \(variable)")
        }
    }

    @Test func aRefusedPushChangesNothingAndNamesTheProblem() async throws {
        let shards = try InMemoryShards(count: 2, variables: Self.variables, optimizer: .sgd(1), consistency: ConsistencyConfig(mode: .async))
        let client = try shards.client(worker: 0)
        defer { client.close() }
        let gradients = Self.gradients(1)
        gradients.storage[1][3] = .nan
        await #expect {
            try await client.push(StepGradients(dense: gradients.buffers), versions: [0, 0])
        } throws: { error in
            guard let failure = error as? RuntimeFailure else { return false }
            return failure.code == .invalidArgument && failure.message.contains("NaN") && failure.shard == "shard-1:1"
        }
        let pulled = WorkerBuffers(Self.variables, fill: 9)
        try await client.pull(into: pulled.buffers)
        #expect(pulled.values[1].allSatisfy { $0 == 0 }, "the shard that refused applied nothing")
    }

    @Test func aClosedChannelIsALostShard() async throws {
        let shards = try InMemoryShards(count: 2, variables: Self.variables, optimizer: .sgd(1), consistency: ConsistencyConfig(mode: .async))
        let client = try shards.client(worker: 0)
        client.close()
        await #expect {
            try await client.pull(into: WorkerBuffers(Self.variables).buffers)
        } throws: { error in
            (error as? RuntimeFailure)?.lostShard?.hasPrefix("shard-") == true
        }
    }

    @Test func aSyncPullForAVersionThatNeverComesEndsAtTheDeadline() async throws {
        let shards = try InMemoryShards(
            count: 1, variables: Self.variables, optimizer: .sgd(1), consistency: ConsistencyConfig(mode: .sync, replicasToAggregate: 2))
        let client = try ParameterClient(jobID: 1, workerID: 0, routes: shards.routes, timeout: .milliseconds(200)) { _ in
            InMemoryDataPlaneChannel(shards.handlers[0])
        }
        defer { client.close() }
        await #expect {
            try await client.pull(into: WorkerBuffers(Self.variables).buffers, minimumVersions: [1])
        } throws: { error in
            (error as? RuntimeFailure)?.code == .deadlineExceeded
        }
    }
}
