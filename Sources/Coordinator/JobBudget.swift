import JobSpec
import TensorWire

/// What a job costs the parameter-server shards in memory: pure functions of its spec and variables.
///
/// A shard keeps, per f32 element of a dense variable, the value, one buffer per optimizer slot and, in sync mode,
/// the gradient sum (as `ParameterShard.createJob` reserves it); per embedding row, the value and the slots
/// (rows are created on first touch: the vocabulary hint sizes the estimate).
public enum JobBudget {
    /// The f32 buffers a shard keeps per element of a variable of `kind` for a job's optimizer and mode.
    public static func copies(_ kind: VariableKind, optimizer: OptimizerSpec, mode: TrainingMode) -> Int {
        1 + optimizer.slotCount + (kind == .dense && mode == .sync ? 1 : 0)
    }

    /// Shard bytes of `variables` (whole, over all shards) for a job's optimizer and mode, saturating.
    public static func shardBytes(of variables: [VariableSpec], optimizer: OptimizerSpec, mode: TrainingMode) -> Int {
        Saturating.sum(variables.map { v in
            let elements = v.shape.checkedElementCount ?? .max
            return Saturating.multiply(Saturating.multiply(elements, v.dtype.byteWidth), copies(v.kind, optimizer: optimizer, mode: mode))
        })
    }

    /// Shard bytes the spec's model needs, estimated from the shapes it determines (`JobSpec.modelEstimate`; a lower
    /// bound when the input width is unknown); `nil` for a registered model type.
    public static func estimatedShardBytes(_ spec: JobSpec) -> Int? {
        guard let estimate = spec.modelEstimate else { return nil }
        return shardBytes(of: estimate.variableSpecs, optimizer: spec.optimizer, mode: spec.training.mode)
    }

    /// Bytes one worker holds for a synthetic job's data (samples × features × 4); `nil` for file formats
    /// (their size is known only when a worker reads them).
    public static func workerDataBytes(_ spec: JobSpec) -> Int? {
        guard spec.data.format == .synthetic, let samples = spec.data.samples, let weights = spec.data.weights else { return nil }
        return Saturating.multiply(Saturating.multiply(samples, weights.count), MemoryLayout<Float>.size)
    }

    /// Shard bytes a placement puts on `node`: its partitions' bytes times the job's copies per element.
    public static func reservedBytes(on node: NodeID, by placement: Placement, spec: JobSpec) -> Int {
        Saturating.sum(placement.partitions(on: node).map { p in
            Saturating.multiply(p.bytes, copies(p.variable.kind, optimizer: spec.optimizer, mode: spec.training.mode))
        })
    }

    /// Shard bytes the placed, unfinished jobs among `jobs` hold on `node` (what `Node.memory_reserved_bytes` shows).
    public static func reservedBytes(on node: NodeID, jobs: [JobRecord]) -> Int {
        Saturating.sum(jobs.filter { !$0.state.isTerminal }.compactMap { job in
            job.placement.map { reservedBytes(on: node, by: $0, spec: job.spec) }
        })
    }

    /// "values + 2 adam slots" — what the copies per element are, for messages.
    static func copiesDescription(_ spec: JobSpec) -> String {
        let slots = spec.optimizer.slotCount
        var text = "variables × \(copies(.dense, optimizer: spec.optimizer, mode: spec.training.mode)): values"
        if slots > 0 { text += " + \(slots) \(spec.optimizer.type.rawValue) slot\(slots == 1 ? "" : "s")" }
        if spec.training.mode == .sync { text += " + the sync gradient sum" }
        return text
    }

    /// A byte count for people: "512 B", "300 MiB", "1.2 GiB".
    public static func describe(bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let rounded = value >= 100 ? (value.rounded()) : (value * 10).rounded() / 10
        let text = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        return "\(text) \(units[unit])"
    }
}
