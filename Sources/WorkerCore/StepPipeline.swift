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

/// Async training of a dense model with the exchange off the critical path. Two sets of buffers: while step s computes
/// on set s mod 2, step s−1's gradients are pushed from the other set and the parameters of step s+1 pulled into it,
/// so the round trip overlaps a whole step's compute instead of following it. The cost is staleness: a step's
/// parameters miss this worker's last two gradients at most (one without the pipeline), plus whatever other workers
/// pushed meanwhile. `StepLoop` uses it only for async jobs without `max_staleness`, a fixed data set and no embeddings.
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
    private let exchange: StepExchange
    /// Exchanges started and not yet awaited, oldest first (at most two).
    private var inFlight: [InFlight] = []
    /// The versions each set's parameters were pulled at, once its pull finished.
    private var pulled: [[UInt64]?] = [nil, nil]
    /// The set the next step computes on.
    private var next = 0

    /// Two sets of buffers for `model` — `first` and one more — exchanged with `shards`.
    init(first: StepBuffers, model: any Model, shards: ParameterClient, exchange: StepExchange) throws {
        sets = [first, try StepBuffers(model: model)]
        self.shards = shards
        self.exchange = exchange
    }

    /// Starts with the first set's parameters already pulled at `versions`: the second set's pull starts now.
    func start(pulledAt versions: [UInt64]) {
        pulled[0] = versions
        next = 0
        launch(slot: 1, push: nil)
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

    /// The step on the current set is computed: its gradients (tagged with `versions`) go out and the parameters of the
    /// step after next are pulled into the same set, both in the background.
    func stepped(versions: [UInt64], batch: Int) {
        let slot = next
        pulled[slot] = nil
        launch(slot: slot, push: (versions, batch))
        next = 1 - slot
    }

    /// Waits for every exchange in flight; returns the pushes that finished and the set with the newest parameters.
    func drain() async throws -> (finished: [Pushed], newest: StepBuffers) {
        var finished: [Pushed] = []
        var newest = sets[1 - next]
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
        let buffers = sets[slot], shards = shards, exchange = exchange
        let task = Task { () async throws -> (pushed: Pushed?, pulled: [UInt64]) in
            // Push and pull concurrently: the pull need not wait for this push (async mode takes any version).
            async let pushing: Pushed? = {
                guard let push else { return nil }
                let summary = try await exchange.push(shards, buffers.gradientBuffers, versions: push.versions)
                return Pushed(batch: push.batch, summary: summary)
            }()
            let versions = try await shards.pull(into: buffers.parameterBuffers)
            return (pushed: try await pushing, pulled: versions)
        }
        inFlight.append(InFlight(slot: slot, task: task))
    }

    deinit {
        // A loop that failed mid-step leaves exchanges behind: they hold their buffers until they end.
        for flight in inFlight { flight.task.cancel() }
    }
}
