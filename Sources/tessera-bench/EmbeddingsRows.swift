import ClusterAPI
import TensorWire
import ClusterRuntime
import Foundation

/// The sparse side of `tessera-bench embeddings`, against a running job's real shards over the native data plane: a
/// `ParameterClient` built from the job's placement pulls every key of chosen tables (so every row exists) and then
/// pulls and pushes batches of random keys, as a worker's step does, but with nothing else in the loop.
struct EmbeddingsRows {
    /// An embedding variable of the placement: its id, rows (vocabulary) and floats per row.
    struct Table {
        var variableID: UInt32
        var name: String
        var rows: Int
        var width: Int
    }

    let client: ParameterClient
    let tables: [Table]

    /// A client of the job's shards (sender id 0: async jobs take pushes from any worker slot).
    init(job: Tessera_V1_Job) throws {
        let plan = RoutePlan(placement: job.placement)
        client = try ParameterClient(jobID: UInt64(job.id.split(separator: "-").last ?? "") ?? 0, workerID: 0, routes: plan.routes,
                                     timeout: .seconds(120)) { try DataPlaneChannels.make(.native, address: $0) }
        var seen = Set<UInt32>()
        var tables: [Table] = []
        for p in job.placement where p.kind == "embedding" && seen.insert(p.variableID).inserted {
            // The coordinator's placement is outside input: a shape that does not fit an Int is refused, not trapped on.
            let dims = p.shape.compactMap { Int(exactly: $0) }
            guard dims.count == p.shape.count, let rows = dims.first, rows >= 0, let width = Shape(Array(dims.dropFirst())).checkedElementCount else {
                throw BenchFailure("job \(job.id): embedding \(p.variable) has an unusable shape \(p.shape)")
            }
            tables.append(Table(variableID: p.variableID, name: p.variable, rows: rows, width: width))
        }
        guard !tables.isEmpty else { throw BenchFailure("job \(job.id) has no embedding tables to pull or push") }
        self.tables = tables.sorted { $0.variableID < $1.variableID }
    }

    /// Pulls every key 0..<rows of `tables` in batches of `batch` keys (creating each row on its shard); returns
    /// the rows asked for and the seconds it took.
    func populate(_ tables: [Table], batch: Int) async throws -> (rows: Int, seconds: Double) {
        var rows = 0
        let seconds = try await BenchOutput.time {
            for table in tables {
                let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: batch * table.width)
                defer { buffer.deallocate() }
                var start = 0
                while start < table.rows {
                    let end = min(start + batch, table.rows)
                    let keys = (start..<end).map { Int64($0) }
                    try await client.pullRows([SparseRowBuffer(variableID: table.variableID, keys: keys, rows: UnsafeMutableBufferPointer(rebasing: buffer[0..<(keys.count * table.width)]))])
                    rows += keys.count
                    start = end
                }
            }
        }
        return (rows, seconds)
    }

    /// Rows per second pulled, then pushed (tiny gradients; each push preceded by a one-row pull for the shards'
    /// versions), in batches of `batch` random keys of a random table of
    /// `tables`, for about `seconds` each; every batch goes to both shards at once (keys are hash-partitioned).
    func pullPushRates(_ tables: [Table], batch: Int, seconds: Double, seed: UInt64) async throws -> (pull: Double, push: Double, bytesPerRow: Int) {
        guard let widest = tables.map(\.width).max(), !tables.isEmpty else { return (.nan, .nan, 0) }
        var random = SeededGenerator(seed: seed)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: batch * widest)
        defer { buffer.deallocate() }
        func batchOf(_ table: Table) -> [Int64] { (0..<batch).map { _ in Int64(random.next() % UInt64(max(table.rows, 1))) } }
        var versions: [UInt64] = []
        var pulled = 0
        let pullStart = ContinuousClock.now
        while BenchOutput.seconds(ContinuousClock.now - pullStart) < seconds {
            let table = tables[Int(random.next() % UInt64(tables.count))]
            let rows = UnsafeMutableBufferPointer(rebasing: buffer[0..<(batch * table.width)])
            versions = try await client.pullRows([SparseRowBuffer(variableID: table.variableID, keys: batchOf(table), rows: rows)])
            pulled += batch
        }
        let pullRate = Double(pulled) / BenchOutput.seconds(ContinuousClock.now - pullStart)
        buffer.update(repeating: 1e-6)
        let probe = UnsafeMutableBufferPointer<Float>.allocate(capacity: widest)
        defer { probe.deallocate() }
        var pushed = 0
        let pushStart = ContinuousClock.now
        while BenchOutput.seconds(ContinuousClock.now - pushStart) < seconds {
            let table = tables[Int(random.next() % UInt64(tables.count))]
            let rows = UnsafeMutableBufferPointer(rebasing: buffer[0..<(batch * table.width)])
            // Each shard's current version (one row from every shard), so the push is applied, not dropped as stale.
            versions = try await client.pullRows([SparseRowBuffer(variableID: table.variableID, keys: [0],
                                                                  rows: UnsafeMutableBufferPointer(rebasing: probe[0..<table.width]))], everyShard: true)
            _ = try await client.push(StepGradients(rows: [SparseRowBuffer(variableID: table.variableID, keys: batchOf(table), rows: rows)]), versions: versions)
            pushed += batch
        }
        let pushRate = Double(pushed) / BenchOutput.seconds(ContinuousClock.now - pushStart)
        return (pullRate, pushRate, widest * MemoryLayout<Float>.stride)
    }
}
