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

    /// Pulls every variable of the job from the shards in its placement (embedding tables: every row of the vocabulary
    /// hint by key; rows never touched read as their initializer's values, the values a dense table would hold, without
    /// being created on the shard; an unbounded table ([0, width]) reads as empty).
    public static func read(job: Tessera_V1_Job, token: String? = nil, tls: TLSFiles? = nil) async throws -> [Variable] {
        try await withDenseValues(job: job, token: token, tls: tls) { plan, dense, client in
            var out: [Variable] = []
            for (i, variable) in plan.variables.enumerated() {
                var values = dense[i] ?? []
                if dense[i] == nil {
                    values.reserveCapacity(variable.shape.elementCount)
                    try await streamRows(of: UInt32(i), shape: variable.shape, client: client, chunkBytes: 8 << 20) { values.append(contentsOf: $0) }
                }
                out.append(Variable(name: variable.name, shape: variable.shape, values: values))
            }
            return out
        }
    }

    /// Pulls the job's dense variables (one array each; nil for an embedding table) and runs `body` with the plan,
    /// those values and the open client.
    static func withDenseValues<R>(
        job: Tessera_V1_Job, token: String?, tls: TLSFiles?, _ body: (RoutePlan, [[Float]?], ParameterClient) async throws -> R
    ) async throws -> R {
        guard !job.placement.isEmpty else {
            throw RuntimeFailure(.failedPrecondition, "\(job.id) has no placed variables yet (state \(job.state.displayName))")
        }
        let plan = RoutePlan(placement: job.placement)
        let tables = Set(job.placement.filter { $0.kind == VariableKind.embedding.rawValue }.map { Int($0.variableID) })
        // Embedding tables get empty buffers: the dense pull skips them (as a worker's), their rows are pulled by key.
        var storage = plan.variables.enumerated().map { i, v in tables.contains(i) ? [] : [Float](repeating: 0, count: v.shape.elementCount) }
        let jobNumber = UInt64(job.id.split(separator: "-").last ?? "") ?? 0
        let transport = try DataTransport(proto: job.spec.cluster)
        let client = try ParameterClient(jobID: jobNumber, workerID: 0, routes: plan.routes) {
            try DataPlaneChannels.make(transport, address: $0, token: token, tls: tls)
        }
        defer { client.close() }
        try await withBuffers(&storage) { buffers in
            _ = try await client.pull(into: buffers)
        }
        let dense = storage.enumerated().map { i, values in tables.contains(i) ? nil : values }
        return try await body(plan, dense, client)
    }

    /// Pulls every row of an embedding table's vocabulary (keys 0..<rows, in order) a chunk of at most `chunkBytes` at a
    /// time, handing each chunk to `sink`; nothing for an unbounded table ([0, width]). The reads create no row
    /// (`existingRowsOnly`): exporting a 50 M-row table whose training touched a few million no longer fills the
    /// shards with the rest. A psd older than that flag refuses it (INVALID_ARGUMENT); the reads then create rows, as
    /// they did before.
    static func streamRows(
        of variableID: UInt32, shape: Shape, client: ParameterClient, chunkBytes: Int, _ sink: (UnsafeBufferPointer<Float>) throws -> Void
    ) async throws {
        guard shape.rank == 2, shape.dims[0] > 0, shape.dims[1] > 0 else { return }
        let vocabulary = shape.dims[0], width = shape.dims[1]
        let perChunk = max(1, min(vocabulary, chunkBytes / max(1, width * MemoryLayout<Float>.stride)))
        guard case let (floats, false) = perChunk.multipliedReportingOverflow(by: width) else {
            throw RuntimeFailure(.invalidArgument, "embedding variable \(variableID): \(perChunk) rows of width \(width) overflow")
        }
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: floats)
        defer { buffer.deallocate() }
        var start = 0
        var creating = false
        while start < vocabulary {
            let n = min(perChunk, vocabulary - start)
            let rows = UnsafeMutableBufferPointer(rebasing: buffer[0..<(n * width)])
            rows.initialize(repeating: 0)
            let keys = (0..<n).map { Int64(start + $0) }
            let table = [SparseRowBuffer(variableID: variableID, keys: keys, rows: rows)]
            do {
                try await client.pullRows(table, creating: creating)
            } catch let failure as RuntimeFailure where !creating && start == 0 && failure.code == .invalidArgument {
                creating = true  // an older psd: it cannot read without creating
                try await client.pullRows(table, creating: true)
            }
            try sink(UnsafeBufferPointer(rows))
            start += n
        }
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
