import ClusterAPI
import JobSpec
import TensorWire

/// Reads a job's current variable values from its shards over the data plane (for `clusterctl pull` and tests).
public enum VariableReader {
    /// One variable's values.
    public struct Variable: Sendable {
        /// Documented name, e.g. `dense_0/kernel`.
        public var name: String
        /// Full shape.
        public var shape: Shape
        /// Row-major values.
        public var values: [Float]

        /// Creates a variable.
        public init(name: String, shape: Shape, values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// Pulls every variable of the job from the shards in its placement.
    public static func read(job: Tessera_V1_Job, token: String? = nil, tls: TLSFiles? = nil) async throws -> [Variable] {
        guard !job.placement.isEmpty else {
            throw RuntimeFailure(.failedPrecondition, "\(job.id) has no placed variables yet (state \(job.state.displayName))")
        }
        let plan = RoutePlan(placement: job.placement)
        var storage = plan.variables.map { [Float](repeating: 0, count: $0.shape.elementCount) }
        let jobNumber = UInt64(job.id.split(separator: "-").last ?? "") ?? 0
        let transport = try DataTransport(proto: job.spec.cluster)
        let client = try ParameterClient(jobID: jobNumber, workerID: 0, routes: plan.routes) {
            try DataPlaneChannels.make(transport, address: $0, token: token, tls: tls)
        }
        defer { client.close() }
        try await withBuffers(&storage) { buffers in
            _ = try await client.pull(into: buffers)
        }
        // Embedding tables: every row of the vocabulary hint by key (rows never touched are created from the
        // initializer, the values a dense table would hold); an unbounded table ([0, width]) reads as empty.
        for id in Set(job.placement.filter { $0.kind == VariableKind.embedding.rawValue }.map(\.variableID)).sorted() {
            let i = Int(id), shape = plan.variables[i].shape
            guard shape.rank == 2, shape.dims[0] > 0 else { continue }
            let rows = UnsafeMutableBufferPointer<Float>.allocate(capacity: shape.elementCount)
            rows.initialize(repeating: 0)
            defer { rows.deallocate() }
            try await client.pullRows([SparseRowBuffer(variableID: id, keys: (0..<Int64(shape.dims[0])).map { $0 }, rows: rows)])
            storage[i] = Array(rows)
        }
        return zip(plan.variables, storage).map { Variable(name: $0.0.name, shape: $0.0.shape, values: $0.1) }
    }
}

/// Runs `body` with raw buffers over arrays of floats (kept alive and unaliased for the call).
func withBuffers<R>(_ arrays: inout [[Float]], _ body: (VariableBuffers) async throws -> R) async rethrows -> R {
    let pointers = arrays.map { array -> UnsafeMutableBufferPointer<Float> in
        let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(array.count, 1))
        _ = p.initialize(from: array)
        return UnsafeMutableBufferPointer(rebasing: p[0..<array.count])
    }
    defer { for p in pointers { p.baseAddress?.deallocate() } }
    let result = try await body(VariableBuffers(pointers))
    for (i, p) in pointers.enumerated() { arrays[i] = Array(p) }
    return result
}
