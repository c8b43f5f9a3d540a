import ParameterStore
import TensorWire

/// Shorthand for a partition key.
func key(_ variable: UInt32, _ partition: UInt32 = 0) -> PartitionKey {
    PartitionKey(variableID: variable, partition: partition)
}

/// A whole f32 variable as partition 0.
func wholePartition(_ id: UInt32, _ name: String, _ dims: [Int], _ initializer: Initializer = .zeros, seed: UInt64 = 42) -> PartitionSpec {
    PartitionSpec.whole(variableID: id, variable: VariableSpec(name: name, shape: Shape(dims), initializer: initializer), seed: seed)
}

/// Pushes gradients given as arrays (copied into temporary buffers, freed afterwards like a request buffer).
@discardableResult
func push(
    _ shard: ParameterShard, job: UInt64 = 1, worker: UInt32, version: UInt64, _ gradients: [(PartitionKey, [Float])]
) throws(StoreError) -> PushOutcome {
    let buffers = gradients.map { (k, g) -> (PartitionKey, UnsafeMutableBufferPointer<Float>) in
        let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: g.count)
        _ = b.initialize(from: g)
        return (k, b)
    }
    defer { for (_, b) in buffers { b.deallocate() } }
    return try shard.push(PushRequest(jobID: job, workerID: worker, version: version, gradients: buffers.map { .partition($0.0, UnsafeBufferPointer($0.1)) }))
}

/// Reads partitions as arrays with their version.
func read(_ shard: ParameterShard, job: UInt64 = 1, _ keys: [PartitionKey]) throws -> (version: UInt64, values: [[Float]]) {
    try shard.read(jobID: job, keys: keys) { v, buffers in (v, buffers.map { Array($0) }) }
}

/// Reads one partition's values.
func values(_ shard: ParameterShard, job: UInt64 = 1, _ k: PartitionKey) throws -> [Float] {
    try read(shard, job: job, [k]).values[0]
}

/// Loads values into a partition at a version.
func load(_ shard: ParameterShard, job: UInt64 = 1, _ k: PartitionKey, _ v: [Float], version: UInt64) throws(StoreError) {
    let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: v.count)
    _ = b.initialize(from: v)
    defer { b.deallocate() }
    try shard.load(jobID: job, key: k, values: UnsafeBufferPointer(b), version: version)
}

/// The code of the StoreError thrown by `body`, or nil when it did not throw.
func errorCode(_ body: () throws -> Void) -> StoreError.Code? {
    do {
        try body()
        return nil
    } catch let e as StoreError {
        return e.code
    } catch {
        return nil
    }
}

/// Relative closeness for Float results against Double references.
func close(_ a: Float, _ b: Double, tolerance: Double = 2e-5) -> Bool {
    abs(Double(a) - b) <= tolerance * max(1, abs(b))
}
