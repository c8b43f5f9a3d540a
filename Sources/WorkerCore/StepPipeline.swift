import DataPlane
import Training

/// One step's parameter and gradient buffers, with the raw views the data plane reads and writes.
struct StepBuffers: @unchecked Sendable {
    /// Parameters the step computes on (pulled into `parameterBuffers`).
    let parameters: ParameterSet
    /// Gradients the step writes (pushed from `gradientBuffers`).
    let gradients: ParameterSet
    /// Raw view of `parameters`.
    let parameterBuffers: VariableBuffers
    /// Raw view of `gradients`.
    let gradientBuffers: VariableBuffers

    /// Buffers for `model` as a worker holds them (`StepExchange.workerParameters`: no full embedding tables).
    init(model: any Model) throws {
        parameters = try StepExchange.workerParameters(model)
        gradients = try StepExchange.workerParameters(model)
        parameterBuffers = VariableBuffers(parameters.tensors.map { UnsafeMutableBufferPointer(start: $0.baseAddress, count: $0.count) })
        gradientBuffers = VariableBuffers(gradients.tensors.map { UnsafeMutableBufferPointer(start: $0.baseAddress, count: $0.count) })
    }
}

/// Async training of a dense model with the exchange off the critical path. `depth` sets of buffers (2 by default): while step
/// s computes on set s mod depth, the earlier steps' gradients go out from the other sets and the parameters after
/// their apply come back into them (`ParameterClient.pushAndPull`: one round trip per shard), so each exchange has
/// depth − 1 steps of compute to hide behind instead of following its step. The cost is staleness: a step's
/// parameters miss this worker's last depth − 1 gradients at most (those still in flight; one more for a model that
/// moves in chunks, whose pull runs beside its push), plus whatever other workers pushed meanwhile. `StepLoop` uses it only for async jobs without `max_staleness`, a fixed data set and no embeddings.
final class StepPipeline: @unchecked Sendable {
    /// One finished exchange: the step's batch size and how the shards took its gradients.
    struct Pushed {
        /// Examples in the step whose gradients went out.
        let batch: Int
        /// The shards' verdicts.
        let summary: PushSummary
    }

    private struct InFlight {
        let slot: Int
        let task: Task<(pushed: Pushed?, pulled: [UInt64]), any Error>
    }

    private let sets: [StepBuffers]
    private let shards: ParameterClient
    /// Exchanges started and not yet awaited, oldest first (at most one per set).
    private var inFlight: [InFlight] = []
    /// The versions each set's parameters were pulled at, once its pull finished.
    private var pulled: [[UInt64]?]
    /// The set the next step computes on.
    private var next = 0

    /// `depth` sets of buffers for `model` (2 or more) — `first` and the others — exchanged with `shards`.
    init(first: StepBuffers, model: any Model, shards: ParameterClient, depth: Int) throws {
        var sets = [first]
        for _ in 1..<max(depth, 2) { sets.append(try StepBuffers(model: model)) }
        self.sets = sets
        self.shards = shards
        pulled = Array(repeating: nil, count: sets.count)
    }

    /// Sets a step loop's pipeline keeps: two. Three (two steps of compute for each exchange to hide behind) measured
    /// slower on the 2-core box (`tessera-bench train`: 35–49 k against 62–77 k samples/s in the same runs), the extra
    /// exchange in flight competing with the compute for the cores.
    static let defaultDepth = 2

    /// Starts with the first set's parameters already pulled at `versions`: the other sets' pulls start now.
    func start(pulledAt versions: [UInt64]) {
        pulled[0] = versions
        next = 0
        for slot in 1..<sets.count { launch(slot: slot, push: nil) }
    }

    /// Waits until the next step's parameters are in place; returns its buffers, the versions they were pulled at, and
    /// the pushes that finished meanwhile (to count as steps done).
    func nextStep() async throws -> (buffers: StepBuffers, versions: [UInt64], finished: [Pushed]) {
        let slot = next
        var finished: [Pushed] = []
        while pulled[slot] == nil, !inFlight.isEmpty { finished += try await awaitOldest() }
        guard let versions = pulled[slot] else {
            // Nothing in flight pulls this set (after a drain at the start): pull it here.
            let versions = try await shards.pull(into: sets[slot].parameterBuffers)
            return (sets[slot], versions, finished)
        }
        return (sets[slot], versions, finished)
    }

    /// The step on the current set is computed: its gradients (tagged with `versions`) go out and the parameters after
    /// their apply come back into the same set, for the step `depth` steps on, in the background.
    func stepped(versions: [UInt64], batch: Int) {
        let slot = next
        pulled[slot] = nil
        launch(slot: slot, push: (versions, batch))
        next = (slot + 1) % sets.count
    }

    /// Waits for every exchange in flight; returns the pushes that finished and the set with the newest parameters.
    func drain() async throws -> (finished: [Pushed], newest: StepBuffers) {
        var finished: [Pushed] = []
        var newest = sets[(next + sets.count - 1) % sets.count]
        while let slot = inFlight.first?.slot {
            finished += try await awaitOldest()
            newest = sets[slot]
        }
        return (finished, newest)
    }

    private func awaitOldest() async throws -> [Pushed] {
        let oldest = inFlight.removeFirst()
        let outcome = try await oldest.task.value
        pulled[oldest.slot] = outcome.pulled
        return outcome.pushed.map { [$0] } ?? []
    }

    private func launch(slot: Int, push: (versions: [UInt64], batch: Int)?) {
        let buffers = sets[slot], shards = shards
        // On the shard connection's event loop where there is one: the request is written, and the answer resumes the
        // exchange and is decoded, without a hop between threads (else on the pool, not the step loop's thread).
        let task = Task(executorPreference: shards.preferredTaskExecutor ?? globalConcurrentExecutor) { () async throws -> (pushed: Pushed?, pulled: [UInt64]) in
            guard let push else { return (nil, try await shards.pull(into: buffers.parameterBuffers)) }
            // One round trip per shard: the gradients go out, the parameters after their apply come back.
            let (summary, versions) = try await shards.pushAndPull(buffers.gradientBuffers, versions: push.versions, into: buffers.parameterBuffers)
            return (Pushed(batch: push.batch, summary: summary), versions)
        }
        inFlight.append(InFlight(slot: slot, task: task))
    }

    deinit {
        // A loop that failed mid-step leaves exchanges behind: they hold their buffers until they end.
        for flight in inFlight { flight.task.cancel() }
    }
}
